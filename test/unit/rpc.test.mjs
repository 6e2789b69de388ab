// The one request layer (src/shared/rpc.ts): a client and a server over a real MessageChannel (as between the host and
// a worker) and over plain functions (as a webview's postMessage): replies, progress, errors, cancel, refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { loadTs } from './panels-bundle.mjs';

const { RpcClient, RpcServer, CancelSource, CancelledError, transferables } = await loadTs('src/shared/rpc.ts');

/** A client and a server on the two ports of a MessageChannel; the server transfers typed arrays. */
function channel(handlers, onCancel) {
  const { port1, port2 } = new MessageChannel();
  const server = new RpcServer((message, transfer) => port2.postMessage(message, transfer), handlers, { transfer: true });
  const refused = [];
  port2.on('message', (message) => server.receive(message) ?? refused.push(message));
  const client = new RpcClient((message) => port1.postMessage(message), onCancel);
  port1.on('message', (message) => client.receive(message));
  const close = () => {
    port1.close();
    port2.close();
  };
  return { client, server, refused, port1, close };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

test('replies reach their own request, whatever the order they are answered in', async () => {
  const { client, close } = channel({
    slow: async ({ n }) => {
      await tick();
      return { doubled: 2 * n };
    },
    fast: ({ text }) => text.toUpperCase(),
  });
  try {
    const slow = client.request('slow', { n: 21 });
    const fast = client.request('fast', { text: 'adam' });
    assert.deepEqual(await Promise.all([slow, fast]), [{ doubled: 42 }, 'ADAM']);
    assert.equal(client.waiting, 0);
  } finally {
    close();
  }
});

test('a handler error rejects the request with its message; the channel answers on', async () => {
  const { client, close } = channel({
    lossInfo: ({ loss }) => {
      if (loss !== 'sphere') throw new Error(`Unknown loss '${loss}'`);
      return { name: loss };
    },
  });
  try {
    await assert.rejects(client.request('lossInfo', { loss: 'nope' }), (error) => error instanceof Error && !(error instanceof CancelledError) && error.message === "Unknown loss 'nope'");
    assert.deepEqual(await client.request('lossInfo', { loss: 'sphere' }), { name: 'sphere' });
  } finally {
    close();
  }
});

test('progress comes in order before the reply, to its own request only; typed arrays are transferred, not copied', async () => {
  const detached = [];
  const { client, close } = channel({
    stream: async ({ chunks }, { progress }) => {
      for (let i = 0; i < chunks; i++) {
        const rows = Float64Array.from([i, i + 0.5]);
        await progress({ i, rows });
        detached.push(rows.buffer.byteLength === 0);
      }
      return { count: chunks };
    },
  });
  try {
    const parts = [];
    const other = [];
    const [reply] = await Promise.all([
      client.request('stream', { chunks: 4 }, { onProgress: (part) => parts.push(part) }),
      client.request('stream', { chunks: 2 }, { onProgress: (part) => other.push(part) }),
    ]);
    assert.deepEqual(reply, { count: 4 });
    assert.deepEqual(parts.map((part) => part.i), [0, 1, 2, 3]);
    assert.equal(other.length, 2);
    assert.ok(parts[3].rows instanceof Float64Array);
    assert.deepEqual(Array.from(parts[3].rows), [3, 3.5]);
    assert.deepEqual(detached, Array(6).fill(true), "the sender's buffers moved to the other side");
  } finally {
    close();
  }
  // What the server hands to postMessage's transfer list: each buffer once.
  const shared = new Float64Array(4);
  assert.deepEqual(transferables({ a: shared, b: [shared.subarray(1), new Uint8Array(2)], c: 'text' }).length, 2);
});

test('cancel mid-request: the caller gets a CancelledError at once, the handler sees its signal, no progress or reply follows', async () => {
  let handlerSawCancel;
  let progressAfterCancel = 0;
  const { client, port1, close } = channel({
    stream: async (_params, { progress, cancel }) => {
      for (let i = 0; i < 1000 && !cancel.isCancellationRequested; i++) {
        await progress({ i });
        await tick();
      }
      handlerSawCancel = cancel.isCancellationRequested;
      return 'finished';
    },
    ping: () => 'pong',
  });
  const afterCancel = [];
  port1.on('message', (message) => afterCancel.push(message));
  try {
    const source = new CancelSource();
    let parts = 0;
    const stream = client.request('stream', {}, {
      cancel: source,
      onProgress: () => {
        parts++;
        if (source.isCancellationRequested) progressAfterCancel++;
        if (parts === 3) source.cancel();
      },
    });
    await assert.rejects(stream, (error) => error instanceof CancelledError);
    afterCancel.length = 0;
    await tick();
    await tick();
    assert.equal(handlerSawCancel, true, 'the handler stopped because of the cancel');
    assert.equal(progressAfterCancel, 0);
    assert.deepEqual(afterCancel, [], 'nothing more is sent for a cancelled request');
    assert.equal(await client.request('ping', {}), 'pong');
    // A signal cancelled before the request: rejected without sending it.
    await assert.rejects(client.request('ping', {}, { cancel: source }), (error) => error instanceof CancelledError);
  } finally {
    close();
  }
});

test('a handler that gives up with a CancelledError rejects its caller with one', async () => {
  const { client, close } = channel({
    animate: () => {
      throw new CancelledError();
    },
  });
  try {
    await assert.rejects(client.request('animate', {}), (error) => error instanceof CancelledError);
  } finally {
    close();
  }
});

test('malformed messages are refused: the server takes only requests for its methods, the client only answers to its requests', async () => {
  const posted = [];
  const server = new RpcServer((message) => posted.push(message), { ping: () => 'pong' });
  assert.equal(server.receive({ type: 'pickLoss' }), undefined, 'an event (no request id) is not a request');
  assert.equal(server.receive({ type: 'ping', requestId: 0 }), undefined);
  assert.equal(server.receive({ type: 'ping', requestId: 1.5 }), undefined);
  assert.equal(server.receive({ type: 'ping', requestId: '1' }), undefined);
  assert.equal(server.receive(null), undefined);
  assert.equal(server.receive(['ping', 1]), undefined);
  assert.equal(server.receive({ type: 'cancel', inReplyTo: -1 }), undefined);
  // A request for a method the map does not have is answered with an error (its caller must not wait), never run.
  await server.receive({ type: 'constructor', requestId: 7 });
  await server.receive({ type: '__proto__', requestId: 8 });
  assert.deepEqual(posted, [
    { type: 'reply', inReplyTo: 7, error: "No method 'constructor'" },
    { type: 'reply', inReplyTo: 8, error: "No method '__proto__'" },
  ]);
  await server.receive({ type: 'ping', requestId: 9, extra: true });
  assert.deepEqual(posted[2], { type: 'reply', inReplyTo: 9, body: 'pong' });

  const client = new RpcClient(() => undefined);
  const waiting = client.request('ping', {});
  assert.equal(client.receive({ type: 'reply', inReplyTo: 2, body: 'not asked' }), false);
  assert.equal(client.receive({ type: 'reply', inReplyTo: '1', body: 'bad id' }), false);
  assert.equal(client.receive({ type: 'snapshot', inReplyTo: 1 }), false);
  assert.equal(client.receive('reply'), false);
  assert.equal(client.waiting, 1);
  assert.equal(client.receive({ type: 'reply', inReplyTo: 1, body: 'pong' }), true);
  assert.equal(client.receive({ type: 'reply', inReplyTo: 1, body: 'again' }), false, 'a second reply finds no request');
  assert.equal(await waiting, 'pong');
});

test('the request message carries the params\' fields, which cannot override the method or the id', () => {
  const posted = [];
  const client = new RpcClient((message) => posted.push(message));
  void client.request('landscape', { query: { loss: 'a' }, type: 'run', requestId: 99 });
  assert.deepEqual(posted, [{ query: { loss: 'a' }, type: 'landscape', requestId: 1 }]);
});

test('onCancel replaces the cancel message (the engine ends its worker), and repost sends the waiting requests again', async () => {
  const posted = [];
  const cancelled = [];
  const client = new RpcClient((message) => posted.push(message), (requestId, method) => cancelled.push([requestId, method]));
  const source = new CancelSource();
  const long = client.request('runs', { args: [1] }, { cancel: source });
  const other = client.request('trace', { args: [2] });
  source.cancel();
  await assert.rejects(long, (error) => error instanceof CancelledError);
  assert.deepEqual(cancelled, [[1, 'runs']]);
  assert.equal(posted.length, 2, 'no cancel message was sent');
  client.repost();
  assert.deepEqual(posted.slice(2), [{ args: [2], type: 'trace', requestId: 2 }], 'only the request still waiting goes again');
  client.receive({ type: 'reply', inReplyTo: 2, body: 'traced' });
  assert.equal(await other, 'traced');
  const last = client.request('ready', {});
  client.rejectAll(new Error('the panel was closed'));
  await assert.rejects(last, /the panel was closed/);
  assert.equal(client.waiting, 0);
});
