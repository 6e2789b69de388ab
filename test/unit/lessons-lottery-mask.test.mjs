// The lottery ticket's masks: each round's mask in the study's result keeps the stated fraction of the weights (per
// layer or globally), never prunes a bias, shrinks round by round, zeroes the ticket's pruned weights; and the
// network drawing marks exactly the mask's pruned edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const { lotteryTicket } = await loadTs('src/engine/lottery.ts');
const { networkParamGroups } = await loadTs('src/shared/network.ts');
const { diagramEdges } = await loadTs('webview/network/networkDiagram.ts');

const loss = 'data moons samples=80 noise=0.1 test=0.25 seed=1\nnetwork 2-6-5-2 activation=tanh loss=cross_entropy seed=2';
const widths = [2, 6, 5, 2];
const weightGroups = networkParamGroups(widths, false).filter((g) => g.kind === 'weight');
const indices = (group) => Array.from({ length: group.count }, (_, k) => group.start + k);
const keptOf = (mask, group) => indices(group).filter((i) => mask[i] === 1).length;
const run = { optimizer: 'adam', options: { lr: 0.02 } };

for (const scope of ['layer', 'global']) {
  test(`${scope} pruning of 40% a round: each round's mask keeps the stated fraction of the weights, biases all`, async () => {
    const result = await lotteryTicket(engine, { loss, run, steps: 40, rounds: 3, prune: 0.4, scope });
    const { dim } = await engine.lossInfo(loss);
    const weights = weightGroups.reduce((s, g) => s + g.count, 0);
    assert.deepEqual(result.network, { widths, batchnorm: false });
    assert.equal(result.rounds.length, 4);
    let previous;
    let expected = weightGroups.map((g) => g.count);
    let expectedAll = weights;
    result.rounds.forEach((round, r) => {
      assert.equal(round.mask.length, dim);
      assert.ok(round.mask.every((m) => m === 0 || m === 1));
      const kept = weightGroups.reduce((s, g) => s + keptOf(round.mask, g), 0);
      assert.equal(kept / weights, round.remaining, `round ${r}: the mask matches the stated fraction`);
      if (scope === 'layer') {
        // Each layer keeps its own share: 40% of its survivors pruned (rounded) each round.
        assert.deepEqual(weightGroups.map((g) => keptOf(round.mask, g)), expected, `round ${r}: per layer`);
        expected = expected.map((n) => n - Math.round(0.4 * n));
      } else {
        assert.equal(kept, expectedAll, `round ${r}: in all`);
        expectedAll -= Math.round(0.4 * expectedAll);
      }
      const biases = networkParamGroups(widths, false).filter((g) => g.kind !== 'weight').flatMap(indices);
      assert.ok(biases.every((i) => round.mask[i] === 1), 'biases are never pruned');
      if (previous) assert.ok(round.mask.every((m, i) => m <= previous[i]), `round ${r}: only survivors of the round before are kept`);
      previous = round.mask;
    });
    assert.ok(result.rounds.at(-1).remaining < 0.25 && result.rounds.at(-1).remaining > 0.2, `${result.rounds.at(-1).remaining}`);
    assert.deepEqual(result.mask, result.rounds.at(-1).mask, 'the result\'s mask is the last round\'s');
    assert.equal(result.ticket.length, dim);
    result.mask.forEach((m, i) => m === 0 && assert.equal(result.ticket[i], 0, `pruned weight ${i} stays 0 in the ticket`));
    assert.ok(result.ticket.some((v, i) => result.mask[i] === 1 && v !== 0));

    // The drawing: an edge per weight, pruned exactly where the mask is 0, each with the ticket's weight.
    const edges = diagramEdges(widths, false, result.ticket, result.mask);
    assert.equal(edges.length, weights);
    assert.equal(edges.filter((e) => e.kept).length, weights * result.rounds.at(-1).remaining);
    for (const e of edges) {
      const group = weightGroups[e.layer - 1];
      const index = group.start + e.to * group.shape[1] + e.from;
      assert.equal(e.kept, result.mask[index] === 1);
      assert.equal(e.weight, result.ticket[index]);
    }
    assert.ok(diagramEdges(widths, false, result.ticket).every((e) => e.kept), 'no mask: every edge kept');
  });
}
