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
    'The chart shows, for each scheme at initialization, the std of every layer\'s activations (left; the last layer is the output) and of the gradient with respect to every layer\'s pre-activations (right), on a log scale, for tanh and for relu. Zeros: every hidden activation and every hidden gradient is exactly 0 (drawn at the bottom), all units stay identical and the hidden weights never move. Small normal (std 0.01, so n·σ² = 0.0032 for 32 units): the activations shrink about 17 times per layer (√0.0032 ≈ 1/17), to 1e-14 at the output, and the gradients of the first layers vanish just as fast (1e-15 at layer 1).',
    'LeCun (σ² = 1/fan_in) keeps the forward signal\'s scale for a linear or tanh unit near 0; Xavier (Glorot and Bengio 2010; σ² = 2/(fan_in + fan_out)) is the compromise between keeping the forward signal (fan_in) and the backward one (fan_out); here, with equal hidden widths, the two agree except at the first and last layers. For tanh, Xavier keeps the hidden activations\' std between 0.2 and 0.5, in tanh\'s active range (neither vanishing nor saturated at ±1), and the gradient\'s std within a factor of 8 from the output back to the first layer, so every layer learns at a similar pace.',
    'Relu zeroes half of its inputs, halving the variance at each layer: with LeCun the relu network\'s activation std falls from 0.59 at layer 1 to 0.022 at layer 10. He (Kaiming) initialization doubles the variance (σ² = 2/fan_in) to make up for it and keeps the relu signal level (0.5 to 0.9 at every layer). The curves under the chart train each scheme with the file\'s first optimizer line (SGD, 200 steps): zeros and small normal never leave the mean predictor (loss 1.22); LeCun and Xavier reach about 0.10; He, whose larger tanh activations start nearer the nonlinear part, reaches 0.026 here. Set activation=relu on the network line to train the relu network instead.',
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
  summary: 'A deep narrow network without and with residual connections, and narrow vs wide: chaotic vs smooth filter-normalized landscapes, and how each trains',
  study: { kind: 'skip' as const, every: 10, size: 25, seed: 1, widths: { layers: 8, units: [6, 16, 48] } },
  explanation: [
    'Li, Xu, Taylor, Studer and Goldstein (2018) drew loss landscapes of deep networks on planes through a trained solution, along two random directions scaled filter by filter (each neuron\'s incoming weights scaled to that neuron\'s norm, biases left at zero), so that planes of different networks are comparable. Deep networks without skip connections had chaotic landscapes; the same networks with skip connections (ResNets) had smooth, nearly convex ones and trained well.',
    'Here a 20-hidden-layer tanh network of width 16 learns the two-armed spiral twice, without and with skip connections around its equal-width hidden layers (residual=false, then true; the same seed, data and optimizer). The first row shows the slice at each trained solution (the same seeded directions, 25 × 25 points over [−1, 1]²); the training curves are under the slices.',
    'The roughness under each slice counts, along each grid row and column, how often the loss turns from falling to rising or back (0 for a monotone line, 1 for a single valley), averaged, and the grid points below all eight neighbours. With direction seed 1 the plain network (stuck near chance, loss 0.68) has 9.1 turns per line and 21 grid minima; the residual network (loss 0.014) 2.9 turns and 4 minima; seeds 2 and 3 give 8.0 and 5.4 turns (19 and 7 minima) against 3.0 and 2.7 (3 and 5).',
    'Li et al. also found that width smooths the landscape. The second row trains the plain network again with 8 hidden layers of 6, 16 and 48 units (the file\'s other options kept): the narrow one ends at loss 0.48 on a slice with 6.2 turns per line and 16 minima, the middle one at 0.13 with 3.3 turns and 1 minimum, the wide one at 0.047 with 1.8 turns and 1 minimum (seeds 2 and 3: 5.1, 4.9, 1.4 turns and 4.9, 3.1, 1.7). At 20 layers width alone does not rescue the plain network: with 48 units it still ends near chance (loss 0.67, 7.8 turns per line).',
    'Edit the network line (fewer layers, other widths, relu) and the study trains and slices every network again; the .loss file itself trains the residual network in the Playground.',
  ],
  source: [
    '# Skip connections and depth (Li et al. 2018): 20 hidden layers of 16 tanh units on the two-armed spiral',
    'data spiral samples=200 noise=0.05 seed=1',
    'network 2-16-16-16-16-16-16-16-16-16-16-16-16-16-16-16-16-16-16-16-16-2 activation=tanh loss=cross_entropy residual=true seed=1',
    'optimizer adam lr=0.003',
    'steps = 400',
  ].join('\n'),
};
