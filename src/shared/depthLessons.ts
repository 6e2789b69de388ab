// The initialization and skip-connection lessons (issue 18, lessons 1 and 7), appended to LESSONS in lessons.ts.
// Typed where lessons.ts lists them (importing its Lesson type here would make an import cycle).
import type { InitChoice } from './depthStudies';

/** The schemes the initialization lesson compares, in the chart's order. */
export const INIT_LESSON_SCHEMES: InitChoice[] = [
  { init: 'zeros' }, { init: 'normal', std: 0.01 }, { init: 'lecun_normal' }, { init: 'xavier_normal' }, { init: 'kaiming_normal' },
];

export const INIT_LESSON = {
  id: 'initialization',
  title: 'Initialization',
  summary: 'A 10-layer tanh (and relu) network: per-layer signal sizes at init for zeros, small normal, LeCun, Xavier and He, and how each trains',
  study: { kind: 'init' as const, inits: INIT_LESSON_SCHEMES, alsoActivations: ['tanh', 'relu'], every: 10 },
  explanation: [
    'Each layer multiplies its input by a random matrix. With n inputs of variance v and weights of variance σ², a unit\'s pre-activation has variance n·σ²·v: unless n·σ² is about 1, the signal shrinks or grows by that factor at every layer, geometrically over ten layers. The back-propagated gradient is multiplied by the transposed matrices on the way down, so the same happens to it, with the fan-out in place of the fan-in.',
    'The chart shows, for each scheme at initialization, the std of every layer\'s activations (left; the last layer is the output) and of the gradient with respect to every layer\'s pre-activations (right), on a log scale, for tanh and for relu. Zeros: every hidden activation and every hidden gradient is exactly 0 (drawn at the bottom), all units stay identical and the hidden weights never move. Small normal (std 0.01, so n·σ² = 0.0032 for 32 units): the activations shrink by about 20 times per layer and the gradients of the first layers vanish just as fast.',
    'LeCun (σ² = 1/fan_in) keeps the forward signal\'s scale for a linear or tanh unit near 0; Xavier (Glorot and Bengio 2010; σ² = 2/(fan_in + fan_out)) is the compromise between keeping the forward signal (fan_in) and the backward one (fan_out); here, with equal hidden widths, the two agree except at the first and last layers. For tanh both keep activations between 0.2 and 0.6 (in tanh\'s near-linear, active range, not saturated at ±1) and the gradients within a factor of a few from the last layer to the first.',
    'Relu zeroes half of its inputs, halving the variance at each layer: with LeCun or Xavier the relu network\'s signal decays layer by layer. He (Kaiming) initialization doubles the variance (σ² = 2/fan_in) to make up for it and keeps the relu signal level. Edit activation= on the network line (the file\'s network is trained by the Playground; the study trains each scheme with the file\'s first optimizer line) and compare the training curves under the chart.',
  ],
  source: [
    '# Initialization: a 10-layer tanh network on Gaussian inputs (targets from a relu teacher)',
    'data relu_teacher width=4 inputs=8 samples=200 seed=1',
    'network 8-32-32-32-32-32-32-32-32-32-32-1 activation=tanh loss=mse init=xavier_normal seed=0',
    'optimizer sgd lr=0.02',
    'steps = 200',
  ].join('\n'),
};

export const SKIP_LESSON = {
  id: 'skip-connections',
  title: 'Skip connections and depth (Li et al.)',
  summary: 'A deep narrow network without and with residual connections: a chaotic vs a smooth filter-normalized landscape, and how each trains',
  study: { kind: 'skip' as const, every: 10, size: 25, seed: 1 },
  explanation: [
    'Li, Xu, Taylor, Studer and Goldstein (2018) drew loss landscapes of deep networks on planes through a trained solution, along two random directions scaled filter by filter (each neuron\'s incoming weights scaled to that neuron\'s norm, biases left at zero), so that planes of different networks are comparable. Deep networks without skip connections had chaotic landscapes; the same networks with skip connections (ResNets) had smooth, nearly convex ones and trained well.',
    'Here a 15-hidden-layer tanh network of width 16 learns the two-armed spiral twice, without and with skip connections around its equal-width hidden layers (residual=false, then true; the same seed, data and optimizer). The chart shows the slice at each trained solution (the same seeded directions, 25 × 25 points over [−1, 1]²) and the training curves.',
    'The roughness under each slice is each grid row\'s and column\'s total variation divided by its own range, averaged (1 for a monotone line, at most 2 for a single valley, more for every extra wiggle), and the count of grid points below all eight neighbours.',
    'Edit the network line: fewer layers make the plain network\'s landscape smoother, more width does too (Li et al.\'s second observation); the .loss file itself trains the residual network in the Playground.',
  ],
  source: [
    '# Skip connections and depth (Li et al. 2018): 15 hidden layers of 16 tanh units on the two-armed spiral',
    'data spiral samples=200 noise=0.05 seed=1',
    'network 2-16-16-16-16-16-16-16-16-16-16-16-16-16-16-16-2 activation=tanh loss=cross_entropy residual=true seed=1',
    'optimizer adam lr=0.003',
    'steps = 400',
  ].join('\n'),
};
