// Comparing a trajectory with a PyTorch golden one (test/fixtures/pytorch-*.json), step by step.
import assert from 'node:assert/strict';

/** Every value within 1e-9 * (1 + |PyTorch's value|); columns names the row's values in messages. */
export function assertTrajectoryMatches(actual, expected, label, columns = ['x', 'y', 'loss']) {
  assert.equal(actual.length, expected.length, `${label}: row count`);
  for (let r = 0; r < expected.length; r++) {
    for (let c = 0; c < expected[r].length; c++) {
      const want = expected[r][c];
      const got = actual[r][c];
      const tolerance = 1e-9 * (1 + Math.abs(want));
      if (!(Math.abs(got - want) <= tolerance)) {
        assert.fail(`${label}: step ${r}, column ${columns[c]}: got ${got}, PyTorch ${want} (diff ${Math.abs(got - want)})`);
      }
    }
  }
}
