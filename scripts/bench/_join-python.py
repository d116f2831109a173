# The plain way (the seed article's): a loop of setsockopt(IP_ADD_MEMBERSHIP) calls, a new socket
# whenever the kernel says ENOBUFS (net.ipv4.igmp_max_memberships, 20 per socket by default).
# Usage: python3 _join-python.py FIRST_GROUP COUNT IFACE... ; prints "joined N sockets S seconds T".
import errno, socket, struct, sys, time

first = struct.unpack('!I', socket.inet_aton(sys.argv[1]))[0]
count = int(sys.argv[2])
ifaces = sys.argv[3:]
t0 = time.perf_counter()
held = []
joined = 0
for name in ifaces:
    idx = socket.if_nametoindex(name)
    s = None
    for g in range(first, first + count):
        mreqn = struct.pack('!I', g) + socket.inet_aton('0.0.0.0') + struct.pack('i', idx)
        for attempt in (0, 1):
            if s is None:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                held.append(s)
            try:
                s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
                joined += 1
                break
            except OSError as e:
                if e.errno != errno.ENOBUFS or attempt:
                    raise
                s = None
t = time.perf_counter() - t0
print(f'joined {joined} sockets {len(held)} seconds {t:.6f}', flush=True)
