// The engine's Node worker thread (dist/worker.js): heavy work never runs on the extension host's thread.
import { parentPort } from 'node:worker_threads';
import { serveEngine } from './serve';

const port = parentPort;
if (!port) throw new Error('The engine worker must run in a worker thread');
port.on('message', serveEngine((message, transfer) => port.postMessage(message, transfer)));
