// "New Network…": the data sets offered and the starter .loss file written for each (no 'vscode' here). Each starter
// says its data in one line of the file: today inline rows generated here (seeded, so a starter is the same file
// every time); when the language has generated sets (`data spiral ...`), a starter's `data` becomes that line alone.

export interface NetworkStarter {
  id: string;
  label: string;
  detail: string;
  /** The file's data line. */
  data(): string;
  /** The network line's widths and options. */
  network: string;
}

/** A small seeded generator (mulberry32): the starters' points are the same in every session. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller). */
function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

const round = (value: number) => Number(value.toFixed(3));

/** Inline data rows as the language writes them: `data x1, x2, y = [a, b, c; ...]`, a row per line. */
export function inlineData(columns: string[], rows: number[][]): string {
  return `data ${columns.join(', ')} = [\n${rows.map((row) => `  ${row.map(round).join(', ')}`).join(';\n')}\n]`;
}

/** K spiral arms of n points each around the origin, class = arm (as in CS231n's and TensorFlow Playground's spirals). */
export function spiralRows(arms: number, perArm: number, noise: number, seed: number): number[][] {
  const next = random(seed);
  const rows: number[][] = [];
  for (let k = 0; k < arms; k++) {
    for (let i = 0; i < perArm; i++) {
      const r = (i + 1) / perArm;
      const angle = (4 * i) / perArm + (2 * Math.PI * k) / arms + noise * gaussian(next);
      rows.push([r * Math.sin(angle), r * Math.cos(angle), k]);
    }
  }
  return rows;
}

/** Two interleaved half circles (scikit-learn's make_moons), class 0 the upper one. */
export function moonsRows(perMoon: number, noise: number, seed: number): number[][] {
  const next = random(seed);
  const rows: number[][] = [];
  for (let i = 0; i < perMoon; i++) {
    const t = (Math.PI * i) / (perMoon - 1);
    rows.push([Math.cos(t) + noise * gaussian(next), Math.sin(t) + noise * gaussian(next), 0]);
    rows.push([1 - Math.cos(t) + noise * gaussian(next), 0.5 - Math.sin(t) + noise * gaussian(next), 1]);
  }
  return rows;
}

/** A disc (class 1) inside a ring (class 0). */
export function circlesRows(count: number, noise: number, seed: number): number[][] {
  const next = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const inner = i % 2 === 1;
    const r = inner ? 0.5 * next() : 0.7 + 0.3 * next();
    const angle = 2 * Math.PI * next();
    return [r * Math.cos(angle) + noise * gaussian(next), r * Math.sin(angle) + noise * gaussian(next), inner ? 1 : 0];
  });
}

/** Points in [-1, 1]^2 labelled by the sign of x1 * x2 (1: the same sign). */
export function xorRows(count: number, seed: number): number[][] {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const [x1, x2] = [2 * next() - 1, 2 * next() - 1];
    return [x1, x2, x1 * x2 > 0 ? 1 : 0];
  });
}

/** y = sin(3x) + noise on [-1, 1]: a 1-D regression curve. */
export function curveRows(count: number, noise: number, seed: number): number[][] {
  const next = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const x = -1 + (2 * i) / (count - 1);
    return [x, Math.sin(3 * x) + noise * gaussian(next)];
  });
}

const CLASSES_2D = ['x1', 'x2', 'y'];

export const NETWORK_STARTERS: readonly NetworkStarter[] = [
  {
    id: 'spiral',
    label: 'Spiral',
    detail: '3 arms of 50 points, 3 classes: a 2-16-16-3 tanh net, cross-entropy',
    data: () => inlineData(CLASSES_2D, spiralRows(3, 50, 0.2, 1)),
    network: '2-16-16-3 activation=tanh loss=cross_entropy init=xavier_uniform batchnorm=false seed=1',
  },
  {
    id: 'moons',
    label: 'Two moons',
    detail: '2 interleaved half circles of 60 points: a 2-8-8-1 tanh net, binary cross-entropy',
    data: () => inlineData(CLASSES_2D, moonsRows(60, 0.1, 2)),
    network: '2-8-8-1 activation=tanh loss=bce init=xavier_uniform batchnorm=false seed=1',
  },
  {
    id: 'circles',
    label: 'Circles',
    detail: 'a disc inside a ring, 120 points: a 2-8-1 relu net, binary cross-entropy',
    data: () => inlineData(CLASSES_2D, circlesRows(120, 0.05, 3)),
    network: '2-8-1 activation=relu loss=bce init=kaiming_uniform batchnorm=false seed=1',
  },
  {
    id: 'xor',
    label: 'XOR',
    detail: '120 points labelled by the sign of x1*x2: a 2-4-1 tanh net, binary cross-entropy',
    data: () => inlineData(CLASSES_2D, xorRows(120, 4)),
    network: '2-4-1 activation=tanh loss=bce init=xavier_uniform batchnorm=false seed=1',
  },
  {
    id: 'curve',
    label: '1-D regression curve',
    detail: 'y = sin(3x) + noise, 60 points: a 1-16-1 tanh net, mean squared error',
    data: () => inlineData(['x', 'y'], curveRows(60, 0.1, 5)),
    network: '1-16-1 activation=tanh loss=mse init=xavier_uniform batchnorm=false seed=1',
  },
];

/** The starter .loss text for a data set: data, a network, SGD with momentum against Adam on minibatches, the steps. */
export function starterLossText(starter: NetworkStarter): string {
  return [
    `# ${starter.label}: ${starter.detail}.`,
    '# Every optimizer trains the same network from the same initialization; Visualize shows each one\'s output over the inputs.',
    starter.data(),
    `network ${starter.network}`,
    'optimizer sgd lr=0.1 momentum=0.9',
    'optimizer adam lr=0.01',
    'stochastic batch=32 seed=1',
    'steps = 1000',
    '',
  ].join('\n');
}
