/*
 * One message on a SOCK_SEQPACKET socket, with at most one descriptor
 * passed beside it (SCM_RIGHTS): how ttp-privd hands over the anchor's
 * socket, and how the watchdog's guard hands it to its monitor.
 */
#ifndef TTP_FDPASS_H
#define TTP_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* sendmsg(MSG_NOSIGNAL) of buf, with fd when fd != -1. */
ssize_t	fdpass_send(int sock, const void *buf, size_t len, int fd);
/*
 * recvmsg(MSG_TRUNC, so an oversize message shows its real length) into
 * buf; *fd is the descriptor that came with it, or -1. A message whose
 * control data was cut short, or that carried something else than one
 * descriptor, fails with EPROTO (any descriptor it brought is closed).
 */
ssize_t	fdpass_recv(int sock, void *buf, size_t len, int *fd);

#endif
