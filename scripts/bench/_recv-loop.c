/*
 * The reference receiver for recv-capacity.mjs: a plain C recvmmsg(2) loop on one UDP socket
 * bound to PORT, joined to GROUP on IFACE (by ifindex), with the same 4 MiB SO_RCVBUF join-all
 * asks for. Receives until IDLE_MS pass without a datagram after the first one (or MAX_S), then
 * prints "received N drops D" (drops: SO_MEMINFO SK_MEMINFO_DROPS, the socket's kernel count).
 * Compiled by the benchmark with gcc at run time.  Usage: recv-loop GROUP PORT IFACE IDLE_MS MAX_S
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VLEN 64
#define SLOT 2048

static double now_s(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv) {
  if (argc < 6) { fprintf(stderr, "usage: recv-loop GROUP PORT IFACE IDLE_MS MAX_S\n"); return 2; }
  int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1, buf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); return 3; }
  struct ip_mreqn m = { .imr_ifindex = (int)if_nametoindex(argv[3]) };
  inet_aton(argv[1], &m.imr_multiaddr);
  if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0) { perror("join"); return 3; }
  printf("ready\n"); fflush(stdout);
  static char data[VLEN][SLOT];
  struct mmsghdr msgs[VLEN];
  struct iovec iov[VLEN];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < VLEN; i++) { iov[i].iov_base = data[i]; iov[i].iov_len = SLOT; msgs[i].msg_hdr.msg_iov = &iov[i]; msgs[i].msg_hdr.msg_iovlen = 1; }
  long received = 0;
  int idle = atoi(argv[4]);
  double end = now_s() + atof(argv[5]);
  struct pollfd p = { .fd = fd, .events = POLLIN };
  while (now_s() < end) {
    int r = poll(&p, 1, received ? idle : 1000);
    if (r == 0 && received) break;
    if (r <= 0) continue;
    int n = recvmmsg(fd, msgs, VLEN, MSG_DONTWAIT, NULL);
    if (n > 0) received += n;
  }
  unsigned int mem[SK_MEMINFO_VARS];
  socklen_t len = sizeof mem;
  getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len);
  printf("received %ld drops %u\n", received, mem[SK_MEMINFO_DROPS]);
  return 0;
}
