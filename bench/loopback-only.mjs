// Preloaded (`node --import ./bench/loopback-only.mjs …`) into a peer the benchmarks start, such
// as supergateway, that listens on every interface and has no option to choose one: a listen
// given only a port is made to bind 127.0.0.1, so nothing a benchmark starts is reachable from
// another machine.

import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    const [port, ...rest] = args;
    const host = typeof rest[0] === 'string' ? rest.shift() : undefined;
    if (host === undefined || host === '0.0.0.0' || host === '::') return listen.call(this, Number(port), '127.0.0.1', ...rest);
  }
  if (typeof args[0] === 'object' && args[0] !== null && !('fd' in args[0]) && !('path' in args[0])) {
    const options = { ...args[0] };
    if (options.host === undefined || options.host === '0.0.0.0' || options.host === '::') options.host = '127.0.0.1';
    return listen.call(this, options, ...args.slice(1));
  }
  return listen.apply(this, args);
};
