// The panel's host-side parts that need no VS Code (src/panels/): the page's drawing requests over the request layer,
// with the host's validator between the page and the host, and the prefetched streams a page's requests take.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTs } from './panels-bundle.mjs';

const { PageDrawing } = await loadTs('src/panels/pageExport.ts');
const { RpcServer, CancelSource, CancelledError } = await loadTs('src/shared/rpc.ts');
const { parseFromWebview } = await loadTs('src/shared/protocol.ts');
const { Prefetch } = await loadTs('src/panels/prefetch.ts');

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** The host's PageDrawing and a page answering its requests; every message from the page goes through parseFromWebview. */
function hostAndPage(handlers) {
  const refused = [];
  let drawing;
  const fromPage = (message) => {
    const parsed = parseFromWebview(structuredClone(message));
    if (parsed.ok) drawing.receive(parsed.value);
    else refused.push(parsed.error);
  };
  const page = new RpcServer((message) => void setTimeout(() => fromPage(message)), handlers);
  const toPage = [];
  drawing = new PageDrawing((message) => {
    toPage.push(message);
    setTimeout(() => page.receive(structuredClone(message)));
  });
  return { drawing, refused, toPage };
}

test('Export: the page renders, its image is validated, the host gets its data', async () => {
  const { drawing, refused } = hostAndPage({
    render: ({ format }) => (format === 'svg' ? { format, data: '<svg></svg>' } : { format, data: 'not base64!' }),
  });
  assert.equal(await drawing.render('svg'), '<svg></svg>');
  // A page answering with a malformed image is refused by the validator: the request waits, nothing wrong gets through.
  const png = drawing.render('png');
  await tick();
  await tick();
  assert.deepEqual(refused, ['message.body.data: expected a PNG in base64']);
  drawing.close();
  await assert.rejects(png, /the panel was closed/);
});

test('Export Animation: the parts come as progress and make the file; a page error and a cancel reject the export', async () => {
  const parts = [[1, 2, 3], [4], [5, 6]];
  const { drawing, toPage } = hostAndPage({
    animate: async ({ steps }, { progress, cancel }) => {
      if (steps.length === 0) throw new Error('nothing to export yet');
      for (const [i, part] of parts.entries()) {
        if (cancel.isCancellationRequested) throw new CancelledError();
        await progress({ framesDone: i + 1, done: i === parts.length - 1, data: Uint8Array.from(part) });
        await tick();
      }
      return null;
    },
  });
  const frames = [];
  const file = await drawing.animate({ format: 'gif', steps: [0, 1, 2], fps: 10 }, new CancelSource(), (framesDone) => frames.push(framesDone));
  assert.deepEqual(Array.from(file), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(frames, [1, 2, 3]);
  await assert.rejects(drawing.animate({ format: 'gif', steps: [], fps: 10 }, new CancelSource(), () => {}), /nothing to export yet/);

  const cancel = new CancelSource();
  const cancelled = drawing.animate({ format: 'gif', steps: [0, 1, 2], fps: 10 }, cancel, (framesDone) => framesDone === 1 && cancel.cancel());
  await assert.rejects(cancelled, (error) => error instanceof Error && error.name === 'CancelledError');
  const request = toPage.findLast((message) => message.type === 'animate');
  assert.deepEqual(toPage.at(-1), { type: 'cancel', inReplyTo: request.requestId }, 'the page is told to stop');
});

/** A stand-in for RunStream: records whether it was cancelled. */
function fakeStream(scenario, gradients) {
  return { scenario, gradients, cancelled: false, cancel() { this.cancelled = true; }, soFar: () => undefined };
}

test('Prefetch: the page\'s first run request takes the prefetched stream of the same scenario; other streams are cancelled', async () => {
  const started = [];
  const prefetch = new Prefetch(
    async (scenario) => ({ scenario }),
    (scenario, gradients) => {
      const stream = fakeStream(scenario, gradients);
      started.push(stream);
      return stream;
    },
  );
  const a = { loss: 'rosenbrock', steps: 10, runs: [], start: null, view: null };
  prefetch.start(a);
  // The same scenario with its keys in another order is the same scenario.
  assert.equal(prefetch.take({ view: null, start: null, runs: [], steps: 10, loss: 'rosenbrock' }, false), started[0]);
  assert.equal(started.length, 1);

  const b = { ...a, steps: 20 };
  prefetch.start(b);
  assert.equal(started[0].cancelled, false, 'the stream the page shows is not cancelled by a prefetch');
  // Gradients need runs that record their state: a new stream, and both older ones stop.
  const withGradients = prefetch.take(b, true);
  assert.equal(withGradients, started[2]);
  assert.equal(withGradients.gradients, true);
  assert.deepEqual(started.map((s) => s.cancelled), [true, true, false]);
  assert.deepEqual(await prefetch.snapshot(b), { scenario: b }, 'no prefetch left: a fresh snapshot');
  prefetch.dispose();
  assert.equal(withGradients.cancelled, true);
});
