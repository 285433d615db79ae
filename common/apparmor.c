/*
 * runs in: the watchdog's tor launcher and desktop notifiers, still root,
 *   just before they become their user.
 *
 * AppArmor: move this process into one of ttp's profiles now, as
 * aa_change_profile(3) does, without libapparmor. Needed where a process
 * sets NO_NEW_PRIVS and then executes a program: AppArmor refuses a
 * profile transition at exec under NO_NEW_PRIVS, so the launcher enters
 * ttp-tor and each notifier ttp-notify first, and the program they start
 * inherits that profile (apparmor/usr.sbin.ttp). Best effort: without
 * AppArmor, or when the profile is not loaded, nothing changes (then the
 * process was not confined by ttp's profiles either); see SECURITY.md
 * ("AppArmor").
 */
#include "common/sandbox.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void
sandbox_apparmor_enter(const char *profile)
{
	char	 buf[128], on = 0;
	int	 fd, n;

	/* Only when AppArmor is the LSM that owns the interface: another
	 * one's attr/current must never be written. */
	if ((fd = open("/sys/module/apparmor/parameters/enabled",
	    O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = (int)read(fd, &on, 1);
	close(fd);
	if (n != 1 || on != 'Y')
		return;
	if ((fd = open("/proc/self/attr/apparmor/current",
	    O_WRONLY | O_CLOEXEC)) == -1 &&
	    (fd = open("/proc/self/attr/current", O_WRONLY | O_CLOEXEC)) == -1) {
		log_debug("apparmor: no attr/current (%s)", strerror(errno));
		return;
	}
	n = snprintf(buf, sizeof(buf), "changeprofile %s", profile);
	if (n <= 0 || (size_t)n >= sizeof(buf) || write(fd, buf, (size_t)n) != n)
		log_debug("apparmor: cannot enter profile %s (%s)", profile,
		    strerror(errno));
	else
		log_debug("apparmor: entered profile %s", profile);
	close(fd);
}
