// The network benchmark's second baseline: an MLP built the way teaching visualizers often build one, a graph of
// neuron and connection objects walked one sample at a time (the style of TensorFlow Playground's nn.ts), written
// here from that description. Same data, start, tanh/MSE and Adam as the flat twin, so the runs are comparable.

/** An activation as an object with its derivative taken at the pre-activation, as such code usually has it. */
interface Activation {
  output(z: number): number;
  derivative(z: number): number;
}
const TANH: Activation = { output: (z) => Math.tanh(z), derivative: (z) => 1 - Math.tanh(z) ** 2 };
const LINEAR: Activation = { output: (z) => z, derivative: () => 1 };

class Connection {
  weight = 0;
  grad = 0;
  m = 0;
  v = 0;
  constructor(readonly from: Neuron, readonly to: Neuron) {}
}

class Neuron {
  bias = 0;
  biasGrad = 0;
  biasM = 0;
  biasV = 0;
  incoming: Connection[] = [];
  outgoing: Connection[] = [];
  sum = 0;
  output = 0;
  /** d loss / d output for the current sample. */
  outputGrad = 0;
  constructor(readonly activation: Activation) {}

  forward(): void {
    let z = this.bias;
    for (const link of this.incoming) z += link.weight * link.from.output;
    this.sum = z;
    this.output = this.activation.output(z);
  }
}

/** Neurons per layer; layers[0] are the inputs. Weights and biases read from `start` in the flat (PyTorch) order. */
function buildNetwork(widths: number[], start: Float64Array): Neuron[][] {
  const layers = widths.map((width, l) => Array.from({ length: width }, () => new Neuron(l > 0 && l < widths.length - 1 ? TANH : LINEAR)));
  let at = 0;
  for (let l = 1; l < layers.length; l++) {
    for (const neuron of layers[l]) {
      for (const source of layers[l - 1]) {
        const link = new Connection(source, neuron);
        link.weight = start[at++];
        neuron.incoming.push(link);
        source.outgoing.push(link);
      }
    }
    for (const neuron of layers[l]) neuron.bias = start[at++];
  }
  return layers;
}

/** `steps` Adam steps on the mean squared error over all n samples; trace rows [...params, loss, gradnorm] as the flat twin. */
export function adamObjectMlp(data: Float64Array, n: number, widths: number[], start: Float64Array, lr: number, steps: number, trace: Float64Array): void {
  const layers = buildNetwork(widths, start);
  const inputs = widths[0];
  const columns = inputs + 1;
  const output = layers[layers.length - 1][0];
  const dim = start.length;
  const evaluate = (): number => {
    for (let l = 1; l < layers.length; l++) {
      for (const neuron of layers[l]) {
        neuron.biasGrad = 0;
        for (const link of neuron.incoming) link.grad = 0;
      }
    }
    let loss = 0;
    for (let s = 0; s < n; s++) {
      layers[0].forEach((neuron, i) => { neuron.output = data[s * columns + i]; });
      for (let l = 1; l < layers.length; l++) for (const neuron of layers[l]) neuron.forward();
      const residual = output.output - data[s * columns + inputs];
      loss += (residual * residual) / n;
      output.outputGrad = (2 * residual) / n;
      for (let l = layers.length - 1; l >= 1; l--) {
        for (const neuron of layers[l]) {
          if (l < layers.length - 1) {
            let sum = 0;
            for (const link of neuron.outgoing) sum += link.weight * link.to.outputGrad * link.to.activation.derivative(link.to.sum);
            neuron.outputGrad = sum;
          }
          const sumGrad = neuron.outputGrad * neuron.activation.derivative(neuron.sum);
          neuron.biasGrad += sumGrad;
          for (const link of neuron.incoming) link.grad += sumGrad * link.from.output;
        }
      }
    }
    return loss;
  };
  const record = (row: number, loss: number): void => {
    let at = 0;
    let squares = 0;
    for (let l = 1; l < layers.length; l++) {
      for (const neuron of layers[l]) {
        for (const link of neuron.incoming) {
          trace[row * (dim + 2) + at++] = link.weight;
          squares += link.grad * link.grad;
        }
      }
      for (const neuron of layers[l]) {
        trace[row * (dim + 2) + at++] = neuron.bias;
        squares += neuron.biasGrad * neuron.biasGrad;
      }
    }
    trace[row * (dim + 2) + dim] = loss;
    trace[row * (dim + 2) + dim + 1] = Math.sqrt(squares);
  };
  record(0, evaluate());
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  for (let k = 1; k <= steps; k++) {
    const bc1 = 1 - beta1 ** k;
    const bc2 = Math.sqrt(1 - beta2 ** k);
    const scale = lr / bc1;
    for (let l = 1; l < layers.length; l++) {
      for (const neuron of layers[l]) {
        for (const link of neuron.incoming) {
          link.m += (link.grad - link.m) * (1 - beta1);
          link.v = link.v * beta2 + (1 - beta2) * link.grad * link.grad;
          link.weight -= scale * (link.m / (Math.sqrt(link.v) / bc2 + eps));
        }
        const g = neuron.biasGrad;
        neuron.biasM += (g - neuron.biasM) * (1 - beta1);
        neuron.biasV = neuron.biasV * beta2 + (1 - beta2) * g * g;
        neuron.bias -= scale * (neuron.biasM / (Math.sqrt(neuron.biasV) / bc2 + eps));
      }
    }
    record(k, evaluate());
  }
}
