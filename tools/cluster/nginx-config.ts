/**
 * nginx in front of several Holdfast instances on this machine (`npm run cluster`, and the tests
 * that run instances behind nginx). Pure: the config as text, for a prefix directory nginx owns.
 */
export interface NginxOptions {
  /** The port nginx listens on (loopback). */
  listenPort: number;
  /** Each instance's port on 127.0.0.1. */
  upstreamPorts: number[];
  /** A directory for nginx's pid file, temp files and logs. */
  prefix: string;
}

export function nginxConfig({ listenPort, upstreamPorts, prefix }: NginxOptions): string {
  if (upstreamPorts.length === 0) throw new Error("nginx needs at least one instance to send requests to");
  return `# Written by Holdfast (tools/cluster/nginx-config.ts); see docs/several-instances.md.
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }

http {
  access_log ${prefix}/access.log;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  # The app limits bodies itself (2 MB) and says why; nginx must not refuse first.
  client_max_body_size 4m;

  upstream holdfast {
    # Any instance can answer any request: sessions, holds and seat states live in PostgreSQL.
${upstreamPorts.map((port) => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=2s;`).join("\n")}
    keepalive 64;
  }

  server {
    listen 127.0.0.1:${listenPort};

    location / {
      proxy_pass http://holdfast;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      # The app trusts these from loopback (TRUST_PROXY=loopback): the buyer's address for the
      # hoarding brake and rate limits, the scheme for secure cookies, nginx's id in our logs.
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-Id $request_id;
      # A dead instance's requests go to the next one, when nothing was sent yet (never a POST).
      # Not on the app's own 503 (the database is away): the buyer gets its page and Retry-After.
      proxy_next_upstream error timeout http_502;
    }

    # Live seat maps: Server-Sent Events pass through as they come (never buffered), and a quiet
    # stream (a heartbeat comes every 15 s) is not cut.
    location ~ ^/shows/[^/]+/events$ {
      proxy_pass http://holdfast;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Request-Id $request_id;
      proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 1h;
    }
  }
}
`;
}
