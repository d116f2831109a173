// The one advice for "not enough privilege", used by the capture error, the join errno text and
// the PERMISSION finding. Not `setcap` on the system's node: that hands CAP_NET_RAW and
// CAP_NET_ADMIN to every script any local user runs with it (issue 14). README "Capabilities
// instead of root" shows the dedicated copy step by step.
export const PRIVILEGE_FIX =
  'run as root (sniff --user NAME drops to NAME once its captures are open), or give cap_net_raw,cap_net_admin to a dedicated copy of ' +
    'node that only the tool\'s users may run (README "Capabilities instead of root"), never to the system\'s node';
