// The socket error lives in the core (it recognises it; the platform throws it): re-exported here.
export { SocketError, isSocketError, errnoName } from '../../core/kernel/socket-error.js';
