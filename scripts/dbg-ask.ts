import { randomUUID } from 'node:crypto';
import http from 'node:http';
const url = process.argv[2]!;
const N = Number(process.argv[3] ?? 2000);
const C = 200;
const agent = new http.Agent({ keepAlive: true, maxSockets: C });
const { hostname, port } = new URL(url);
const body = (i: number) => Buffer.from(JSON.stringify({ kind: 'consult', title: `压测问题 x-${i}`, body: `这是压测生成的第 ${i} 个问题。`, email: `bench${i % 50}@example.cn` }));
function post(i: number): Promise<number> {
  const b = body(i);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: '/api/questions', method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': b.length, 'Idempotency-Key': randomUUID() } }, (res) => {
      res.resume(); res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject); req.end(b);
  });
}
let next = 0; const t0 = performance.now(); const codes: Record<number, number> = {};
await Promise.all(Array.from({ length: C }, async () => { while (next < N) { const c = await post(next++); codes[c] = (codes[c] ?? 0) + 1; } }));
console.log(N, 'in', ((performance.now() - t0) / 1000).toFixed(1), 's', codes);
agent.destroy();
