/*
 * runs in: ttp (root) and the watchdog's monitor while it is root.
 *
 * Starting ttp-privd: one end of a new SOCK_SEQPACKET socketpair becomes
 * privd's fd 3, the other is returned to the caller. privd gets a fixed
 * argv and a fixed, minimal environment: nothing of the caller's
 * environment (LD_PRELOAD, LD_LIBRARY_PATH, locale, ...) reaches the
 * process that stays root. Everything that can fail or log happens before
 * fork(); the child only makes async-signal-safe calls.
 */
#include "ipc/privop.h"
#include "common/helper.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef TTP_SANITIZE
/*
 * Sanitizer builds only: the runtime reads its options from the
 * environment, so pass the caller's ASAN_OPTIONS and UBSAN_OPTIONS (and
 * nothing else) through. Leak checking is switched off for privd: LSan's
 * exit-time check stops the world with clone() and ptrace(), which privd's
 * seccomp allowlist rightly forbids (privd would hang at exit); the codec
 * is leak-checked in the unit tests and the fuzzer instead.
 */
static char	 asan_env[1024], ubsan_env[1024];

static void
sanitizer_env(char **envp, size_t *n)
{
	const char	*v;

	/* Options are read in order: the last detect_leaks wins. */
	v = getenv("ASAN_OPTIONS");
	if (snprintf(asan_env, sizeof(asan_env), "ASAN_OPTIONS=%s%s"
	    "detect_leaks=0", v ? v : "", v && *v ? ":" : "") <
	    (int)sizeof(asan_env))
		envp[(*n)++] = asan_env;
	if ((v = getenv("UBSAN_OPTIONS")) != NULL &&
	    snprintf(ubsan_env, sizeof(ubsan_env), "UBSAN_OPTIONS=%s", v) <
	    (int)sizeof(ubsan_env))
		envp[(*n)++] = ubsan_env;
}
#endif

/* The pin as privd reads it: an FW_APPLY request frame, in hex. */
static int
pin_hex(const struct privop_fw_apply *pin, char *hex, size_t hexsz)
{
	struct privop_req	 req;
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	ssize_t			 n, i;

	memset(&req, 0, sizeof(req));
	req.op = PRIVOP_FW_APPLY;
	req.u.fw_apply = *pin;
	if ((n = privop_encode_req(&req, buf, sizeof(buf))) == -1 ||
	    (size_t)n * 2 >= hexsz)
		return -1;
	for (i = 0; i < n; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", buf[i]);
	return 0;
}

int
privop_spawn(const char *run_dir, const struct privop_fw_apply *pin,
    int *pid)
{
	static char	 hex[2 * PRIVOP_FRAME_MAX + 1];
	char		 path[PATH_MAX];
	char		*argv[7] = { "ttp-privd", "--run-dir", NULL };
	char		*envp[4] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin" };
	size_t		 nenv = 1, nargv = 3;
	sigset_t	 none;
	int		 sv[2];
	pid_t		 child;

	if (helper_path("ttp-privd", path, sizeof(path)) == -1)
		return -1;
	argv[2] = (char *)run_dir;
	if (pin != NULL) {
		if (pin_hex(pin, hex, sizeof(hex)) == -1) {
			log_warnx("ttp-privd: cannot encode the session's "
			    "arguments");
			return -1;
		}
		argv[nargv++] = "--pin";
		argv[nargv++] = hex;
	}
	if (log_get_verbose())
		argv[nargv++] = "-v";
	argv[nargv] = NULL;
#ifdef TTP_SANITIZE
	sanitizer_env(envp, &nenv);
#endif
	envp[nenv] = NULL;
	/* CLOEXEC: neither end may leak into anything else we exec. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("socketpair");
		return -1;
	}
	if (sv[0] <= STDERR_FILENO || sv[1] <= STDERR_FILENO) {
		/* stdio was closed: privd's fd 3 would clash with its logs. */
		log_warnx("cannot start ttp-privd: stdin/stdout/stderr closed");
		goto fail;
	}
	sigemptyset(&none);
	switch ((child = fork())) {
	case -1:
		log_warn("fork");
		goto fail;
	case 0:
		/*
		 * A session of its own: a ^C or hangup on the user's terminal
		 * must not kill privd before the CLI has torn down through it;
		 * privd ends when the CLI closes its end instead.
		 */
		(void)setsid();
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		/* dup2() onto itself would keep CLOEXEC set: clear it. */
		if (sv[1] == 3 ? fcntl(3, F_SETFD, 0) == -1 :
		    dup2(sv[1], 3) == -1)
			_exit(127);
		execve(path, argv, envp);
		_exit(127);
	}
	close(sv[1]);
	*pid = (int)child;
	return sv[0];
fail:
	close(sv[0]);
	close(sv[1]);
	return -1;
}
