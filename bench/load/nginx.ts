/**
 * Starts nginx (Debian's `nginx-light`) on a folder of static files: the anchor the restore path is
 * measured against. Files under `/v3/registration-gz*` hold gzip bytes, sent with `Content-Encoding: gzip`
 * as Pallet sends them, so both servers write the same bytes for every path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../soak/server.ts';

export interface StaticServer {
  readonly baseUrl: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startNginx(root: string, prefix: string): Promise<StaticServer> {
  const port = await freePort();
  await mkdir(path.join(prefix, 'logs'), { recursive: true });
  const config = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes auto;
daemon off;
pid ${path.join(prefix, 'nginx.pid')};
error_log ${path.join(prefix, 'logs', 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path ${path.join(prefix, 'body')};
  proxy_temp_path ${path.join(prefix, 'proxy')};
  fastcgi_temp_path ${path.join(prefix, 'fastcgi')};
  uwsgi_temp_path ${path.join(prefix, 'uwsgi')};
  scgi_temp_path ${path.join(prefix, 'scgi')};
  types { application/json json; application/octet-stream nupkg; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location ~ ^/v3/registration-gz { add_header Content-Encoding gzip; add_header Vary Accept-Encoding; }
  }
}`;
  const file = path.join(prefix, 'nginx.conf');
  await writeFile(file, config);
  const child: ChildProcess = spawn('nginx', ['-p', prefix, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    const up = await fetch(`${baseUrl}/`).then(() => true, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`nginx did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    baseUrl,
    pid: child.pid ?? -1,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
