/*
 * Flood replayer for the storm lab tests (issue 17): crafted Ethernet/IPv4/UDP frames sent with
 * AF_PACKET from a peer namespace, paced to a rate, bounded in count and time. Compiled at test
 * time by test/helpers/flood.ts (gcc -O2); Python cannot pace 50 kpps on a shared 2-core machine.
 *
 *   flood IFACE MODE GROUP PORT RATE_PPS DURATION_S [options]
 *   MODE  sources  every frame from a new source address (198.18.0.0/15 cycled), payload "x"
 *         senders  one source, every frame a probe with a new sender id ("flood-%08x")
 *         probe    one source, the probe given by --sender/--iface-name/--seq/--claim (forgery)
 *         queries  IGMPv3 general queries (Router Alert, max response 1 s) to GROUP (224.0.0.1),
 *                  every frame from a new source address (198.18.0.0/15 cycled): spoofed queriers
 *   --src A.B.C.D   source address (senders/probe; default 198.18.1.1)
 *   --claim GROUP   group written in the probe payload (default: GROUP)
 *   --sender ID --iface-name NAME --seq N   probe fields (probe mode; --seq increments per frame)
 *   --dmac HEX12    destination MAC (default: the group's 01:00:5e MAC; unicast needs it)
 *   --count N       stop after N frames (default: RATE * DURATION)
 *   --ttl N         IPv4 TTL (default 1)
 *   --repeat K      probe mode: every probe sent K times in a row (a forwarding loop's copies)
 * Prints "sent N" on exit.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static uint16_t csum(const uint8_t *p, int n) {
  uint32_t s = 0;
  for (int i = 0; i + 1 < n; i += 2) s += (p[i] << 8) | p[i + 1];
  if (n & 1) s += p[n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 255; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

int main(int argc, char **argv) {
  if (argc < 7) { fprintf(stderr, "usage: flood IFACE MODE GROUP PORT RATE DURATION [options]\n"); return 2; }
  const char *ifname = argv[1], *mode = argv[2];
  struct in_addr group, src, claim;
  if (!inet_aton(argv[3], &group)) { fprintf(stderr, "bad group\n"); return 2; }
  int port = atoi(argv[4]);
  double rate = atof(argv[5]), duration = atof(argv[6]);
  inet_aton("198.18.1.1", &src);
  claim = group;
  const char *sender = "flood", *pname = "eth0";
  uint32_t seq = 0;
  long count = (long)(rate * duration);
  int ttl = 1;
  long repeat = 1, copies = 0;
  uint8_t dmac[6] = {0x01, 0x00, 0x5e, 0, 0, 0};
  uint32_t g = ntohl(group.s_addr);
  dmac[3] = (g >> 16) & 0x7f; dmac[4] = (g >> 8) & 255; dmac[5] = g & 255;
  for (int i = 7; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--src")) inet_aton(v, &src);
    else if (!strcmp(k, "--claim")) inet_aton(v, &claim);
    else if (!strcmp(k, "--sender")) sender = v;
    else if (!strcmp(k, "--iface-name")) pname = v;
    else if (!strcmp(k, "--seq")) seq = (uint32_t)strtoul(v, NULL, 0);
    else if (!strcmp(k, "--count")) count = atol(v);
    else if (!strcmp(k, "--ttl")) ttl = atoi(v);
    else if (!strcmp(k, "--repeat")) repeat = atol(v) > 0 ? atol(v) : 1;
    else if (!strcmp(k, "--dmac")) for (int j = 0; j < 6; j++) sscanf(v + 2 * j, "%2hhx", &dmac[j]);
    else { fprintf(stderr, "unknown option %s\n", k); return 2; }
  }
  int queries = !strcmp(mode, "queries");
  int probes = strcmp(mode, "sources") != 0 && !queries;
  if (probes && strcmp(mode, "senders") && strcmp(mode, "probe")) { fprintf(stderr, "bad mode\n"); return 2; }

  int s = socket(AF_PACKET, SOCK_RAW, 0);
  if (s < 0) { perror("socket"); return 3; }
  struct sockaddr_ll ll = {0};
  ll.sll_family = AF_PACKET;
  ll.sll_ifindex = if_nametoindex(ifname);
  ll.sll_halen = 6;
  if (!ll.sll_ifindex) { perror("if_nametoindex"); return 3; }
  if (bind(s, (struct sockaddr *)&ll, sizeof ll) < 0) { perror("bind"); return 3; }

  uint8_t f[256];
  memset(f, 0, sizeof f);
  memcpy(f, dmac, 6);
  const uint8_t smac[6] = {0x02, 0, 0, 0, 0xf1, 0x00};
  memcpy(f + 6, smac, 6);
  put16(f + 12, 0x0800);
  uint8_t *ip = f + 14, *udp = ip + 20, *pay = udp + 8;
  char id[64];
  int paylen = 64;
  double t0 = now_s(), end = t0 + duration;
  long sent = 0;
  uint32_t base = ntohl(inet_addr("198.18.0.0"));
  while (sent < count) {
    double t = now_s();
    if (t >= end) break;
    long due = (long)((t - t0) * rate) + 1;
    if (sent >= due) { struct timespec ns = {0, 50000}; nanosleep(&ns, NULL); continue; }
    uint32_t sa = ntohl(src.s_addr);
    if (queries) {
      /* IPv4 header with Router Alert (RFC 2113), IGMPv3 general query (RFC 3376 4.1), 12 bytes. */
      sa = base + 2 + (uint32_t)(sent % 131000);
      uint8_t *q = ip + 24;
      ip[0] = 0x46; ip[1] = 0xc0; put16(ip + 2, 24 + 12); put16(ip + 4, sent & 0xffff); put16(ip + 6, 0);
      ip[8] = 1; ip[9] = 2; put16(ip + 10, 0);
      put32(ip + 12, sa);
      memcpy(ip + 16, &group.s_addr, 4);
      ip[20] = 0x94; ip[21] = 4; ip[22] = 0; ip[23] = 0;
      put16(ip + 10, csum(ip, 24));
      memset(q, 0, 12);
      q[0] = 0x11; q[1] = 10; q[8] = 2; q[9] = 125;
      put16(q + 2, csum(q, 12));
      if (send(s, f, 14 + 24 + 12, 0) < 0) { struct timespec ns = {0, 100000}; nanosleep(&ns, NULL); continue; }
      sent++;
      continue;
    }
    if (!probes) {
      sa = base + 2 + (uint32_t)(sent % 131000); /* 198.18.0.0/15, skipping .0 and .1 */
      memset(pay, 'x', paylen);
    } else {
      const char *sid = sender;
      if (!strcmp(mode, "senders")) { snprintf(id, sizeof id, "flood-%08lx", sent); sid = id; }
      int il = strlen(sid), nl = strlen(pname);
      memset(pay, 0, 128);
      memcpy(pay, "MCDP", 4);
      pay[4] = 1; pay[5] = ttl;
      put16(pay + 6, 42 + il + nl);
      put32(pay + 8, 2);
      put32(pay + 12, seq);
      /* send time: f64 BE microseconds */
      struct timespec rt; clock_gettime(CLOCK_REALTIME, &rt);
      double us = rt.tv_sec * 1e6 + rt.tv_nsec / 1e3;
      uint64_t bits; memcpy(&bits, &us, 8);
      for (int j = 0; j < 8; j++) pay[16 + j] = bits >> (56 - 8 * j);
      pay[34] = 0xff; pay[35] = 0xff;
      memcpy(pay + 36, &claim.s_addr, 4);
      pay[40] = il; pay[41] = nl;
      memcpy(pay + 42, sid, il);
      memcpy(pay + 42 + il, pname, nl);
      paylen = 42 + il + nl;
      if (paylen < 64) paylen = 64;
      if (++copies >= repeat) { copies = 0; seq++; }
    }
    int iplen = 20 + 8 + paylen;
    ip[0] = 0x45; ip[1] = 0; put16(ip + 2, iplen); put16(ip + 4, sent & 0xffff); put16(ip + 6, 0);
    ip[8] = ttl; ip[9] = 17; put16(ip + 10, 0);
    put32(ip + 12, sa);
    memcpy(ip + 16, &group.s_addr, 4);
    put16(ip + 10, csum(ip, 20));
    put16(udp, 40000); put16(udp + 2, port); put16(udp + 4, 8 + paylen); put16(udp + 6, 0);
    if (send(s, f, 14 + iplen, 0) < 0) { struct timespec ns = {0, 100000}; nanosleep(&ns, NULL); continue; }
    sent++;
  }
  printf("sent %ld\n", sent);
  return 0;
}
