/**
 * "Another client": a second connection, in a worker thread (its own event loop, so a busy
 * bench thread cannot delay it; raised priority where allowed), sending PING, waiting for
 * PONG, pausing ~1 ms, again. The longest PING round trip while an operation runs is the
 * longest stall that client saw (machine scheduling noise included: compare the idle row).
 */
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
// Only this (mostly sleeping) thread: a higher priority keeps the OS from adding its own delays to the measurement.
try { require('node:os').setPriority(-10); } catch {}
const socket = net.connect(workerData.port, workerData.host);
socket.setNoDelay(true);
let sentAt = 0n, pending = false, running = true, buffered = '';
let max = 0, count = 0, total = 0;
const now = () => process.hrtime.bigint();
function send() {
  if (!running) return;
  sentAt = now();
  pending = true;
  socket.write('PING\\r\\n');
}
socket.on('connect', () => { parentPort.postMessage({ type: 'ready' }); send(); });
socket.on('error', (error) => parentPort.postMessage({ type: 'error', message: String(error) }));
socket.on('data', (chunk) => {
  buffered += chunk;
  let end;
  while ((end = buffered.indexOf('\\r\\n')) >= 0) {
    buffered = buffered.slice(end + 2);
    const ms = Number(now() - sentAt) / 1e6;
    pending = false;
    if (ms > max) max = ms;
    count++;
    total += ms;
    if (workerData.gapMs > 0) setTimeout(send, workerData.gapMs); else setImmediate(send);
  }
});
parentPort.on('message', (message) => {
  if (message === 'reset') { max = 0; count = 0; total = 0; return; }
  if (message === 'report') {
    const inFlight = pending ? Number(now() - sentAt) / 1e6 : 0;
    parentPort.postMessage({ type: 'report', max: Math.max(max, inFlight), count, mean: count ? total / count : 0 });
    return;
  }
  if (message === 'stop') { running = false; socket.end(); parentPort.close(); }
});
`;

export interface StallReport {
  /** Longest PING round trip (ms), an unanswered one included. */
  readonly max: number;
  readonly count: number;
  readonly mean: number;
}

export class StallProbe {
  readonly #worker: Worker;
  #waiting: ((report: StallReport) => void) | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (message: { type: string } & StallReport) => {
      if (message.type === 'report') {
        this.#waiting?.(message);
        this.#waiting = undefined;
      }
    });
  }

  static async start(host: string, port: number, gapMs = 1): Promise<StallProbe> {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { host, port, gapMs } });
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', function onReady(message: { type: string; message?: string }) {
        if (message.type === 'ready') {
          worker.off('message', onReady);
          resolve();
        } else if (message.type === 'error') reject(new Error(message.message));
      });
    });
    return new StallProbe(worker);
  }

  reset(): void {
    this.#worker.postMessage('reset');
  }

  report(): Promise<StallReport> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#worker.postMessage('report');
    });
  }

  /** Runs `action` with a fresh window; returns its duration and the longest PING meanwhile. */
  async around<T>(action: () => Promise<T>): Promise<{ value: T; ms: number; stall: StallReport }> {
    this.reset();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the reset lands, a few PINGs get through
    const start = performance.now();
    const value = await action();
    const ms = performance.now() - start;
    const stall = await this.report();
    return { value, ms, stall };
  }

  async stop(): Promise<void> {
    this.#worker.postMessage('stop');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await this.#worker.terminate();
  }
}
