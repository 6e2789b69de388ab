// The lessons: one scenario per topic of the optimization lecture, each a .loss file with a short explanation
// (no 'vscode' import: unit-tested in node, and the webview shows the explanation).
import type { RunConfig } from './protocol';
import { runLines } from './export';
import { scalingRuleRuns } from './stochastic';
import type { PathStudy } from './networkPaths';
import type { LotteryRequest, SeedStudyRequest, StrongTicketRequest } from './studies';
import type { InitStudyRequest, SkipStudyRequest } from './depthStudies';
import { INIT_LESSON, SKIP_LESSON } from './depthLessons';
import type { BatchnormStudyRequest } from './batchnorm';

export interface Lesson {
  id: string;
  title: string;
  /** One line for the quick pick. */
  summary: string;
  /** Paragraphs shown beside the plot. */
  explanation: string[];
  /** The scenario as an editable .loss file. */
  source: string;
  /** The loss chart's x axis. */
  chartX?: 'step' | 'samples';
  /** A chart of loss profiles along paths between two networks trained as the file says (see PathStudy). */
  paths?: PathStudy;
  /** A study the engine runs on the lesson's .loss text (src/engine/lottery.ts): the lottery ticket's rounds, or seeds. */
  study?: LessonStudy;
}

/** A lesson's study: its request without the loss text (the lesson's .loss file, as edited, gives it). */
export type LessonStudy =
  /** strong: also the strong ticket (edge-popup; src/engine/lottery.ts strongTicket). */
  | ({ kind: 'lottery'; strong?: Omit<StrongTicketRequest, 'loss'> } & Omit<LotteryRequest, 'loss'>)
  /** factors: the lesson's network and its hidden widths times each factor (> 1: wider students). */
  | ({ kind: 'seeds'; factors: number[] } & Omit<SeedStudyRequest, 'loss'>)
  /** The lesson's own runs with their training and test error measured every `every` steps. */
  | { kind: 'curves'; every: number }
  /** Per-layer statistics at init and training curves per initialization (src/engine/depthStudies.ts); the file's first run trains. */
  | ({ kind: 'init' } & Pick<InitStudyRequest, 'inits' | 'alsoActivations' | 'every'>)
  /** The file's network without and with skip connections: slices at the trained ends (src/engine/depthStudies.ts). */
  | ({ kind: 'skip' } & Pick<SkipStudyRequest, 'every' | 'size' | 'seed' | 'widths'>)
  /** The lesson's network with and without batch norm at two rates, noisy BN, and the smoothness along the gradient. */
  | ({ kind: 'batchnorm' } & Omit<BatchnormStudyRequest, 'loss'>);

/**
 * The lottery lesson: global magnitude pruning of 50% per round, three rounds (12.5% of the weights left); and the
 * strong ticket: edge-popup keeping half of each layer of the lesson's network at twice its width, 300 score updates
 * at lr 0.5, on two moons (Adam as the rounds for the dense comparison).
 */
export const LOTTERY_STUDY: LessonStudy = {
  kind: 'lottery', run: { optimizer: 'adam', options: { lr: 0.01 } }, steps: 1000, rounds: 3, prune: 0.5, scope: 'global',
  strong: { data: 'data moons samples=200 noise=0.1 test=0.5 seed=1', widen: 2, keep: 0.5, steps: 300, lr: 0.5, run: { optimizer: 'adam', options: { lr: 0.01 } } },
};

/** Safran & Shamir: students of the written width (the teacher's, 6) and four times it, twelve seeds each. */
export const SEED_STUDY: LessonStudy = {
  kind: 'seeds', factors: [1, 4], run: { optimizer: 'adam', options: { lr: 0.01 } }, steps: 1500, seeds: Array.from({ length: 12 }, (_, i) => i),
};

/**
 * The batch norm lesson: its network with and without BN by SGD at lr 0.01 and 0.1, noisy BN (scale 0.2) at 0.1, and
 * the smoothness along the gradient (steps up to 0.1) at 8 points of the lr 0.01 paths.
 */
export const BATCHNORM_STUDY: LessonStudy = {
  kind: 'batchnorm', run: { optimizer: 'sgd' }, steps: 300, lrs: [0.01, 0.1], every: 10, noise: 0.2, points: 8, etaMax: 0.1,
};

/** The scaling-rule lesson's runs: B = 4, 16, 64 with lr 0.005 scaled by k = 4 and k^2 = 16, and unscaled. */
export const SCALING_RULE = { batch: 4, k: 4, lr: 0.005, seed: 1 } as const;

export function scalingRuleLessonRuns(): RunConfig[] {
  const { batch, k, lr, seed } = SCALING_RULE;
  return scalingRuleRuns({ optimizer: 'sgd', options: { lr }, stochastic: { seed } }, batch, k);
}

const BEALE = 'f = (1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2';

const ADAPTIVE_RUNS = ['optimizer sgd lr=0.01', 'optimizer adagrad lr=0.5', 'optimizer rmsprop lr=0.01', 'optimizer adam lr=0.05'];

/** The path lessons' training: net A from this file, net B the same way from seed 2 (their PathStudy's seed). */
const TWO_NETWORKS = [
  '# Net A trains from this network line; net B the same way from seed 2.',
  'data moons samples=200 noise=0.1 test=0.2 seed=2',
  'network 2-16-16-1 activation=tanh loss=bce init=xavier_uniform batchnorm=false seed=1',
  'optimizer adam lr=0.01',
  'steps = 2000',
];

export const LESSONS: Lesson[] = [
  {
    id: 'gd-newton',
    title: 'Gradient descent vs Newton',
    summary: "Rosenbrock's banana: first-order steps crawl, Newton's steps use the curvature",
    explanation: [
      'Gradient descent steps against the gradient: x ← x − η∇f(x). In the long, curved valley of Rosenbrock\'s function the gradient points mostly across the valley, so with a learning rate small enough to stay stable it zigzags and crawls towards (1, 1).',
      'Newton\'s method rescales the step by the inverse Hessian: x ← x − (∇²f(x))⁻¹∇f(x). It uses the local curvature, so it takes long steps along the flat valley floor and reaches the minimum in a handful of steps.',
      'The price: solving a d×d linear system at every step, which is why it is not used directly for networks with millions of parameters. The adaptive methods in the later lessons are cheap, diagonal stand-ins for that curvature.',
    ],
    source: [
      "# Gradient descent vs Newton's method on Rosenbrock's banana",
      'f = (1 - x)^2 + 100*(y - x^2)^2',
      '',
      'domain x in [-2, 2], y in [-1, 3]',
      'start = (-1.5, 2)',
      'minimum = (1, 1)',
      'optimizer sgd lr=0.001',
      'optimizer newton lr=1',
      'steps = 300',
    ].join('\n'),
  },
  {
    id: 'sgd-minibatch',
    title: 'SGD and minibatches',
    summary: 'Linear regression on generated data: full-batch GD vs SGD with B = 1 and B = 16',
    explanation: [
      'A training loss is a mean over samples. Gradient descent computes the gradient over all of them; stochastic gradient descent uses a random minibatch of B samples per step. That gradient is right on average but noisy.',
      'The plot shows the full-batch loss of fitting a line y ≈ w·x + b to 256 generated points (the scatter; each run\'s current line is drawn on it). GD follows a smooth path; SGD with B = 1 jitters around it and never quite settles at a constant learning rate; B = 16 jitters less.',
      'Each step of SGD is far cheaper: with B = 1 it reads one sample instead of 256. Change batch, seed or the learning rate in the .loss file (or in a run\'s "Stochastic & schedule" section) and watch the jitter change. A decaying schedule (e.g. a line "schedule cosine T_max=200" under an optimizer line) lets SGD settle.',
    ],
    source: [
      '# SGD vs gradient descent: linear regression on 256 generated samples',
      'builtin linear_regression samples=256 seed=1 noise=0.5',
      'params w, b                                   # the line y = w*x + b',
      '',
      'start = (4.5, 1.5)',
      'optimizer sgd lr=0.05                         # full batch: gradient descent',
      'optimizer sgd lr=0.05 batch=1 seed=1     # one sample per step',
      'optimizer sgd lr=0.05 batch=16 seed=1    # minibatches of 16',
      'steps = 200',
    ].join('\n'),
  },
  {
    id: 'scaling-rule',
    title: 'The linear scaling rule',
    summary: 'Batch sizes B, kB, k²B: scale the learning rate by k and the loss curves against samples seen coincide',
    chartX: 'samples',
    explanation: [
      `Goyal et al. (2017): when the minibatch grows by a factor k, multiply the learning rate by k. Here B = ${SCALING_RULE.batch}, ${SCALING_RULE.batch * SCALING_RULE.k} and ${SCALING_RULE.batch * SCALING_RULE.k ** 2} with learning rates ${SCALING_RULE.lr}, ${SCALING_RULE.lr * SCALING_RULE.k} and ${SCALING_RULE.lr * SCALING_RULE.k ** 2}.`,
      'The loss chart is drawn against samples seen (steps × batch size), the work done. k small steps of size η on k batches move about as far as one step of size kη on their union, so the three scaled curves lie on top of each other. The two runs with larger batches but the unscaled rate fall behind: they spend k times the samples per step and move no further.',
      'The rule holds while kη stays small compared with the curvature (the step must stay stable); for very large batches it breaks down, which is why it is used with a warm-up.',
    ],
    source: '', // filled in below from scalingRuleLessonRuns()
  },
  {
    id: 'momentum-nesterov',
    title: 'Momentum and Nesterov',
    summary: 'An ill-conditioned quadratic: heavy-ball momentum and Nesterov vs plain gradient descent',
    explanation: [
      'On f = ½(x² + 50y²) the curvature is 50 times larger along y than along x. The learning rate must stay below 2/50 for y not to blow up, so gradient descent moves slowly along x.',
      'Momentum keeps a running sum of past gradients, v ← βv + ∇f(x), x ← x − ηv: the oscillations across the valley cancel and the steady pull along x adds up, so it goes much faster.',
      'Nesterov evaluates the gradient at the point momentum is about to reach (a look-ahead), which damps the overshoot; in PyTorch\'s form x ← x − η(∇f + βv). Compare the final losses in the legend.',
    ],
    source: [
      '# Momentum and Nesterov on an ill-conditioned quadratic (condition number 50)',
      'f = 0.5*(x^2 + 50*y^2)',
      '',
      'domain x in [-4.5, 4.5], y in [-1.5, 1.5]',
      'start = (-4, 1)',
      'minimum = (0, 0)',
      'optimizer sgd lr=0.02',
      'optimizer sgd lr=0.02 momentum=0.9',
      'optimizer sgd lr=0.02 momentum=0.9 nesterov=true',
      'steps = 150',
    ].join('\n'),
  },
  {
    id: 'adaptive-beale',
    title: "AdaGrad, RMSProp and Adam on Beale's function",
    summary: "Per-parameter learning rates on Beale's function (minimum at (3, 0.5))",
    explanation: [
      "Beale's function has its minimum at (3, 0.5), at the end of a narrow, curved valley, with steep walls elsewhere: the gradient's scale differs by orders of magnitude from place to place and from coordinate to coordinate.",
      'AdaGrad divides each coordinate\'s step by the root of the sum of its squared gradients, a cheap diagonal stand-in for curvature; the sum only grows, so the steps keep shrinking. RMSProp uses a moving average of squared gradients instead, so the step size can recover. Adam adds momentum (a moving average of the gradients themselves) to RMSProp\'s scaling, with bias correction.',
      'Watch how the adaptive methods head along the valley while plain gradient descent\'s path bends with the steepest slope.',
    ],
    source: ["# AdaGrad, RMSProp and Adam on Beale's function", BEALE, '', 'domain x in [-4.5, 4.5], y in [-4.5, 4.5]', 'start = (1, 1.5)', 'minimum = (3, 0.5)', ...ADAPTIVE_RUNS, 'steps = 500'].join('\n'),
  },
  {
    id: 'adaptive-saddle',
    title: 'Escaping the saddle of y⁴ − x⁴',
    summary: 'A flat saddle at (0, 0): gradient descent stalls, adaptive methods escape',
    explanation: [
      'f = y⁴ − x⁴ has a saddle at (0, 0) where the gradient and the Hessian both vanish; it decreases without bound along x. Starting just off the saddle (x = 0.001), the pull along x is 4x³ ≈ 4·10⁻⁹.',
      'Gradient descent follows y down to the saddle and then barely moves: it sees almost no gradient. AdaGrad, RMSProp and Adam divide by the size of the recent gradients, so even a tiny but consistent gradient along x gives steps of about the learning rate, and they leave the saddle along x, out of the plotted box.',
      'SGD\'s noise helps here too: try noise=0.01 on the first optimizer line.',
    ],
    source: ['# Escaping a degenerate saddle: y^4 - x^4', 'f = y^4 - x^4', '', 'domain x in [-2, 2], y in [-2, 2]', 'start = (0.001, 1.5)', ...ADAPTIVE_RUNS, 'steps = 300'].join('\n'),
  },
  {
    id: 'adam-amsgrad',
    title: 'Adam vs AMSGrad (Reddi, Kale, Kumar)',
    summary: 'The online problem where Adam converges to the worst point, +1, and AMSGrad to the best, −1',
    explanation: [
      'Reddi, Kale and Kumar (ICLR 2018) showed that Adam need not converge even on a convex problem. The losses are linear on [−1, 1]: f_t(x) = 3x when t mod 3 = 1, else −x. On average they pull towards x = −1, the best fixed point.',
      'With β₁ = 0, β₂ = 1/(1 + C²) = 0.1 and a learning rate decaying as 1/√t (the paper\'s setting), Adam\'s second-moment average forgets the rare large gradient within a step or two, so every step is about as long as the learning rate: the one large gradient (3) moves x down by about as much as each of the two small ones (−1) moves it up. Adam drifts to +1, the worst point, and its average regret R_T/T stays positive.',
      'AMSGrad keeps the maximum of the second-moment estimates, so the step size never grows back: it goes to −1 and its average regret falls towards 0. The charts show x against t and R_T/T.',
    ],
    source: [
      '# Adam vs AMSGrad on the online problem of Reddi, Kale and Kumar (2018)',
      'builtin reddi C=3',
      'params x',
      '',
      'start = 0',
      'optimizer adam lr=0.5 betas=(0, 0.1)',
      'schedule inverse_sqrt',
      'optimizer adam lr=0.5 betas=(0, 0.1) amsgrad=true',
      'schedule inverse_sqrt',
      'steps = 3000',
    ].join('\n'),
  },
  {
    id: 'permutation-symmetry',
    title: 'Permutation symmetry',
    summary: 'Reordering hidden units changes the weights, not the function; weight matching (Ainsworth et al.) lines two nets up',
    paths: { kind: 'permutation', seed: 2, points: 25 },
    explanation: [
      'Swap two hidden units of a network, together with their incoming weights, their biases and their outgoing weights, and the network computes exactly the same function. A layer of 16 units has 16! ≈ 2·10¹³ orderings: every minimum comes in that many copies, far apart in parameter space.',
      'The chart shows the training loss (solid; test dashed) along straight lines t ↦ (1 − t)·A + t·B. "A → A permuted": the net trained from this file and the same net with its hidden units reordered; both ends have the same loss (checked, in the notes), but halfway the averaged weights mix unrelated units and the loss climbs: a barrier.',
      '"A → B": a second net, trained the same way from another initialization (seed 2), also has a barrier. Weight matching (Ainsworth, Hayase, Srinivasa 2022) permutes B\'s units to be most like A\'s, one linear assignment problem per layer solved exactly (the Hungarian method); "A → B aligned" is the same function as B, yet the barrier all but disappears: much of what looked like separate minima is the permutation symmetry.',
      'Edit the file: widen or narrow the layers, change the activation or the data, and see how the barrier before and after alignment changes.',
    ],
    source: [
      '# Permutation symmetry: a trained net, its permuted copy, and a second net aligned by weight matching',
      ...TWO_NETWORKS,
    ].join('\n'),
  },
  {
    id: 'mode-connectivity',
    title: 'Mode connectivity',
    summary: 'Two solutions from different seeds: a barrier on the straight line, a nearly flat trained Bezier curve (Garipov et al.)',
    paths: { kind: 'mode-connectivity', seed: 2, points: 25, bendSteps: 1000, bendLr: 0.01 },
    explanation: [
      'Two networks trained from different initializations reach minima of the same low loss. Are these isolated valleys? On the straight line between them the loss rises: a barrier ("A → B line").',
      'Garipov, Izmailov, Podoprikhin, Vetrov and Wilson (2018) looked along curves instead: the quadratic Bezier curve θ(t) = (1 − t)²·A + 2t(1 − t)·C + t²·B, with its ends fixed at the two solutions and its bend C trained to lower the mean loss along it. Each step draws t uniformly and moves C against 2t(1 − t)·∇L(θ(t)), the gradient of L(θ(t)) with respect to C (here by Adam).',
      'The trained curve ("A → B curve") keeps the loss low all the way: the two minima are connected by a path of low loss, and the landscape\'s minima form connected valleys rather than isolated points.',
      'Edit the network or the data and watch whether a curve still connects the solutions.',
    ],
    source: [
      '# Mode connectivity: the straight line and a trained Bezier curve between two solutions',
      ...TWO_NETWORKS,
    ].join('\n'),
  },
  {
    id: 'adaptive-generalization',
    title: 'Adaptive methods vs SGD: generalization (Wilson et al.)',
    study: { kind: 'curves', every: 10 },
    summary: 'An overparametrized linear problem where SGD generalizes perfectly and AdaGrad, RMSProp and Adam predict the majority class',
    explanation: [
      'Wilson, Roelofs, Stern, Srebro and Recht (2017) built a binary problem with more features than samples. Each sample has y = ±1 (+1 with probability p = 0.75); its first feature is y itself, the next two are 1 for every sample, and it has a block of five features of its own (one of them set when y = +1, all five when y = −1). Only the first feature tells the classes apart on new samples: their own blocks were never seen in training.',
      'Started from zero, gradient descent stays in the span of the training samples and heads for the minimum-norm solution, which puts most of its weight on the first feature: every run here reaches zero training error, and SGD also classifies every held-out sample correctly.',
      'AdaGrad, RMSProp and Adam divide each coordinate\'s step by its own gradient scale, so every feature with a non-zero gradient moves at about the same speed: the two shared features (whose gradients favour the majority class) grow as fast as the first one, and the solution predicts +1 for every new sample. Their test accuracy is the share of positives in the test split (0.66 to 0.8 over seeds 1 to 3), while their training loss falls as fast as SGD\'s or faster. The chart shows each run\'s training and test error side by side (the test error measured on the held-out half).',
    ],
    source: [
      '# Adaptive methods vs SGD on the overparametrized problem of Wilson et al. (2017, section 3.3)',
      '# 100 samples, half held out; 3 + 5 x 100 = 503 features; a linear classifier from zero',
      'data wilson samples=100 p=0.75 test=0.5 seed=1',
      'network 503-1 activation=linear loss=bce init=zeros',
      'optimizer sgd lr=0.1',
      'optimizer adagrad lr=0.1',
      'optimizer rmsprop lr=0.01',
      'optimizer adam lr=0.01',
      'steps = 500',
    ].join('\n'),
  },
  {
    id: 'batchnorm-only',
    title: 'Training only batch norm (Frankle et al. 2020)',
    summary: 'Random frozen weights, only batch norm\'s gamma and beta trained, against training everything',
    explanation: [
      'Frankle, Schwab and Morcos (2020) froze every weight of a network at its random initialization and trained only batch norm\'s affine parameters, gamma (a scale per unit) and beta (a shift per unit): a small fraction of the parameters, yet the networks reached far-above-chance accuracy.',
      'Here the same 2-64-64-3 relu network with batch norm learns the three-armed spiral twice: once with every parameter trained, once with freeze=linear on its optimizer line, which keeps every Linear weight and bias at its initial value (256 of the 4803 parameters train). Gamma can switch a random feature off or rescale it and beta moves its threshold, so the network picks and shapes among its random features instead of learning new ones.',
      'Try freeze=weights (biases and batch norm train), freeze=bn (everything but batch norm), or a wider network: the more random features, the better the BN-only network does.',
    ],
    source: [
      '# Training only batch norm (Frankle, Schwab, Morcos 2020): random frozen weights vs training everything',
      'data spiral arms=3 samples=600 test=0.25 seed=1',
      'network 2-64-64-3 activation=relu loss=cross_entropy batchnorm=true seed=1',
      'optimizer adam lr=0.01 batch=64 seed=1 label="everything trained"',
      'optimizer adam lr=0.05 batch=64 seed=1 freeze=linear label="only gamma and beta"',
      'steps = 500',
    ].join('\n'),
  },
  {
    id: 'lottery-ticket',
    title: 'The lottery ticket (Frankle & Carbin)',
    summary: 'Prune the smallest weights, reset the survivors to their initial values, train again: the ticket vs a random re-initialization',
    study: LOTTERY_STUDY,
    explanation: [
      'Frankle and Carbin (2019): train a network, prune the weights of smallest magnitude, reset the surviving weights to the values they had at initialization, and train again; repeat. The subnetworks found this way ("winning tickets") train to about the accuracy of the full network with a fraction of its weights, while the same subnetworks with a new random initialization do worse.',
      'The study behind this lesson trains the 2-32-32-2 relu network below on the two-armed spiral (half the samples held out), prunes 50% of the remaining weights (all layers together, biases kept) and resets, three times, down to 12.5% of the weights; each mask is also trained from a random re-initialization (the network seed + 1). Pruned weights are zero and frozen (freeze= with their indices).',
      'Over seeds 1 to 3 the ticket at 12.5% keeps 0.82 to 0.89 test accuracy (the full network: 0.895 to 0.93), the random re-initialization 0.66 to 0.81. The .loss file trains the full network; edit it (width, data, optimizer) and the study follows.',
      'The strong form (Ramanujan et al. 2020, "edge-popup"): a large enough random network already contains a good subnetwork, and it can be found without training a single weight. Every weight gets a score; the forward pass uses in each layer only the half of the weights with the largest |score| (the rest are zero), and the backward pass treats that top-k choice as if it passed gradients straight through, so each score moves by -lr · ∂L/∂w · w. The weights keep their random initial values all along.',
      'The second chart does this with the file\'s network line at twice its hidden widths (2-64-64-2, its seed, with He\'s uniform initialization: a mask cannot rescale weights that are too small) on two moons (200 samples, noise 0.1, half held out): 300 full-batch score updates at lr 0.5. With seed 1 the chosen half goes from loss 0.74 (test accuracy 0.26; the initial scores are random, so this is a random mask of the same size) to 0.28 (test accuracy 0.85), while the same network with all its weights trained by Adam reaches 1e-4 (test accuracy 1.00). Seeds 2 and 3: 0.82 to 0.34 and 0.61 to 0.30. Choosing edges alone learns; Ramanujan et al. match trained networks only with much wider ones.',
    ],
    source: [
      '# The lottery ticket (Frankle & Carbin 2019): the full network the pruning rounds start from',
      'data spiral arms=2 samples=400 test=0.5 seed=1',
      'network 2-32-32-2 activation=relu loss=cross_entropy seed=1',
      'optimizer adam lr=0.01',
      'steps = 1000',
    ].join('\n'),
  },
  {
    id: 'bad-local-minima',
    title: 'Bad local minima and overparametrization (Safran & Shamir)',
    summary: 'A relu teacher with Gaussian inputs: same-width students get stuck from many seeds, wider ones all reach zero; deep linear networks never do',
    study: SEED_STUDY,
    explanation: [
      'Safran and Shamir (2018): the target is a two-layer relu network, y = Σ relu(wⱼ·x) with six orthonormal wⱼ, on Gaussian inputs. A student of the same architecture can fit it exactly (loss 0), yet gradient methods from random initializations often end in spurious local minima: units that died or that share a teacher direction.',
      'The study trains the student below (6 inputs, 6 relu units, Adam, 1500 steps) from twelve network seeds and draws the histogram of final losses: 9 of the 12 stay above 0.05 (0.065 to 0.24), 3 reach about 1e-4. With 24 hidden units every seed ends below 2e-3: overparametrization removes the bad minima the optimizer finds.',
      'Kawaguchi (2016): a deep linear network has no bad local minima. Change the network line to network 6-6-6-1 activation=linear and every seed reaches the least-squares loss of a single linear layer (0.4699 on this data), to 1e-12.',
    ],
    source: [
      '# Bad local minima (Safran & Shamir 2018): a relu teacher with 6 orthonormal units on Gaussian inputs, and a student of the same width',
      'data relu_teacher width=6 inputs=6 samples=500 seed=1',
      'network 6-6-1 activation=relu loss=mse seed=0',
      'optimizer adam lr=0.01',
      'steps = 1500',
    ].join('\n'),
  },
  // Issue 18, lessons 1 and 7 (src/shared/depthStudies.ts).
  INIT_LESSON,
  SKIP_LESSON,
  {
    id: 'batchnorm',
    title: 'Batch norm: learning rates, noise and smoothness (Santurkar et al.)',
    summary: 'One network with and without batch norm at a small and a large learning rate; noisy batch norm still trains; the loss and gradient along the gradient direction',
    study: BATCHNORM_STUDY,
    explanation: [
      'Batch norm (Ioffe & Szegedy 2015) standardizes each hidden unit over the batch, then rescales and shifts it by a learned gamma and beta. The study behind this lesson trains the network below (four relu layers of 32 units, weights drawn with std 1, four times He\'s scale) by plain SGD at lr 0.01 and 0.1, with and without batch norm, 300 full-batch steps each. The .loss file is the batch norm run at lr 0.1; a file has one network line, so the engine makes the other variants from it (batchnorm=false, bn_noise=).',
      'Without batch norm the large weights blow the signal up layer by layer: the first loss is 84, lr 0.01 brings it down to 0.49 in 300 steps, and at lr 0.1 the network dies at the loss of a constant guess (ln 3 ≈ 1.0986). With batch norm each layer\'s scale no longer matters: lr 0.01 reaches 0.78 and lr 0.1 reaches 0.23. Batch norm does not make every rate better; it makes the large one usable.',
      'Ioffe and Szegedy explained this by less "internal covariate shift". Santurkar, Tsipras, Ilyas and Madry (2018) tested the idea by adding noise after every batch norm layer, a per-unit scale exp(0.2 N) and shift 0.2 N drawn again at every step (bn_noise=0.2 on the network line): the layers now see a distribution that moves all the time, yet the noisy network still trains: at lr 0.1 its loss falls from 3.1 to 0.90 with the noise and 0.69 without it (drawn too), slower than clean batch norm but far from the plain network stuck at 1.0986.',
      'Their explanation is smoothness. At points of the lr 0.01 paths the right-hand charts step along the negative gradient, x − ηg for η up to 0.1, and plot the spread of the loss (max − min) and the largest change of the gradient, ‖∇L(x − ηg) − ∇L(x)‖. Without batch norm both are large and jumpy: a step of the gradient\'s size lands somewhere quite different, so only small rates are safe. With batch norm, at every one of the 8 points, the loss varies 650 to 2500 times less and the gradient changes 60 to 570 times less.',
      'Try other widths, init=kaiming_normal (the gap shrinks when the weights are well scaled), tanh, or a larger bn_noise.',
    ],
    source: [
      '# Batch norm (Santurkar et al. 2018): the study trains this network with and without batch norm at lr 0.01 and 0.1',
      'data spiral arms=3 samples=300 seed=1',
      'network 2-32-32-32-32-3 activation=relu loss=cross_entropy init=normal std=1 batchnorm=true seed=1',
      'optimizer sgd lr=0.1',
      'steps = 300',
    ].join('\n'),
  },
];

LESSONS.find((l) => l.id === 'scaling-rule')!.source = [
  '# The linear scaling rule (Goyal et al. 2017): B, kB, k^2 B with lr scaled by k, k^2; then unscaled',
  'builtin linear_regression samples=256 seed=1 noise=0.5',
  'params w, b',
  '',
  'start = (4.5, 1.5)',
  ...scalingRuleLessonRuns().flatMap(runLines),
  'steps = 1000',
].join('\n');

export function findLesson(id: string | undefined): Lesson | undefined {
  return LESSONS.find((lesson) => lesson.id === id);
}
