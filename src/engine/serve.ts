// Answers engine requests from a worker's message port (the server end of src/shared/rpc.ts, typed by
// EngineRequests): shared by the Node and the browser worker. Typed arrays in replies and chunks are transferred.
import { createEngine } from './index';
import { lotteryTicket, seedStudy } from './lottery';
import { batchnormStudy } from './batchnormStudy';
import type { EngineRequests } from '../shared/engineApi';
import { RpcServer, type Post, type ProgressMessage, type ReplyMessage } from '../shared/rpc';

/** Returns the handler for incoming messages; replies go out through post. */
export function serveEngine(post: Post<ReplyMessage | ProgressMessage>): (message: unknown) => void {
  const engine = createEngine();
  const server = new RpcServer<EngineRequests>(
    post,
    {
      trace: async ({ args }) => (await engine).trace(...args),
      landscape: async ({ args }) => (await engine).landscape(...args),
      runs: async ({ args }) => (await engine).runs(...args),
      // The engine yields to the event loop between chunks, which lets a cancel message in.
      streamRuns: async ({ args: [request] }, { progress, cancel }) => (await engine).streamRuns(request, (chunk) => void progress(chunk), cancel),
      lossInfo: async ({ args }) => (await engine).lossInfo(...args),
      samples: async ({ args }) => (await engine).samples(...args),
      networkOutput: async ({ args }) => (await engine).networkOutput(...args),
      networkPath: async ({ args }) => (await engine).networkPath(...args),
      trainBend: async ({ args: [request] }, { progress, cancel }) => (await engine).trainBend(request, (p) => void progress(p), cancel),
      permuteNetwork: async ({ args }) => (await engine).permuteNetwork(...args),
      alignNetworks: async ({ args }) => (await engine).alignNetworks(...args),
      networkLayerStats: async ({ args }) => (await engine).networkLayerStats(...args),
      networkLandscape: async ({ args: [request] }, { progress, cancel }) =>
        (await engine).networkLandscape(request, (body) => void progress(body), cancel),
      networkSharpness: async ({ args }) => (await engine).networkSharpness(...args),
      evaluate: async ({ args }) => (await engine).evaluate(...args),
      openSession: async ({ args }) => (await engine).openSession(...args),
      advanceSession: async ({ args }) => (await engine).advanceSession(...args),
      setSessionBreakpoints: async ({ args }) => (await engine).setSessionBreakpoints(...args),
      closeSession: async ({ args }) => (await engine).closeSession(...args),
      memory: async () => (await engine).memory(),
      lottery: async ({ args: [request] }, { progress, cancel }) => lotteryTicket(await engine, request, (p) => void progress(p), cancel),
      seedStudy: async ({ args: [request] }, { progress, cancel }) => seedStudy(await engine, request, (p) => void progress(p), cancel),
      networkSmoothness: async ({ args }) => (await engine).networkSmoothness(...args),
      edgePopup: async ({ args: [request] }, { progress, cancel }) => (await engine).edgePopup(request, (p) => void progress(p), cancel),
      batchnormStudy: async ({ args: [request] }, { progress, cancel }) => batchnormStudy(await engine, request, (p) => void progress(p), cancel),
    },
    { transfer: true },
  );
  return (message) => {
    if (!server.receive(message)) console.error('The engine worker ignored a message that is not a request');
  };
}
