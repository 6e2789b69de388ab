// "New Network…": the data sets offered and the starter .loss file written for each (no 'vscode' here). Each starter
// says its data in one line of the file: one of the core's generated sets, seeded, with a test split.

export interface NetworkStarter {
  id: string;
  label: string;
  detail: string;
  /** The file's data line. */
  data: string;
  /** The network line's widths and options. */
  network: string;
}

export const NETWORK_STARTERS: readonly NetworkStarter[] = [
  {
    id: 'spiral',
    label: 'Spiral',
    detail: '3 arms, 300 points (a fifth held out for testing), 3 classes: a 2-16-16-3 relu net, cross-entropy',
    data: 'data spiral arms=3 samples=300 noise=0.05 test=0.2 seed=1',
    network: '2-16-16-3 activation=relu loss=cross_entropy init=kaiming_uniform batchnorm=false seed=1',
  },
  {
    id: 'moons',
    label: 'Two moons',
    detail: '2 interleaved half circles, 120 points: a 2-8-8-1 tanh net, binary cross-entropy',
    data: 'data moons samples=120 noise=0.1 test=0.2 seed=2',
    network: '2-8-8-1 activation=tanh loss=bce init=xavier_uniform batchnorm=false seed=1',
  },
  {
    id: 'circles',
    label: 'Circles',
    detail: 'a circle inside a circle, 120 points: a 2-8-1 relu net, binary cross-entropy',
    data: 'data circles samples=120 noise=0.05 test=0.2 seed=3',
    network: '2-8-1 activation=relu loss=bce init=kaiming_uniform batchnorm=false seed=1',
  },
  {
    id: 'xor',
    label: 'XOR',
    detail: '120 points labelled by the sign of x1*x2: a 2-4-1 tanh net, binary cross-entropy',
    data: 'data xor samples=120 test=0.2 seed=4',
    network: '2-4-1 activation=tanh loss=bce init=xavier_uniform batchnorm=false seed=1',
  },
  {
    id: 'curve',
    label: '1-D regression curve',
    detail: 'y = sin(3x) + noise, 60 points: a 1-16-1 tanh net, mean squared error',
    data: 'data curve samples=60 noise=0.1 test=0.2 seed=5',
    network: '1-16-1 activation=tanh loss=mse init=xavier_uniform batchnorm=false seed=1',
  },
];

/** The starter .loss text for a data set: data, a network, SGD with momentum against Adam on minibatches, the steps. */
export function starterLossText(starter: NetworkStarter): string {
  return [
    // Says where the file started: still true after the Playground's Network controls rewrite its lines.
    `# Started as ${starter.label}: ${starter.detail}.`,
    '# Every optimizer trains the same network from the same initialization; Visualize shows each one\'s output over the inputs.',
    starter.data,
    `network ${starter.network}`,
    'optimizer sgd lr=0.1 momentum=0.9',
    'optimizer adam lr=0.01',
    'stochastic batch=32 seed=1',
    'steps = 1000',
    '',
  ].join('\n');
}
