import type { SparseVector } from "./features.js";
import { mulberry32 } from "./random.js";

/**
 * Multinomial logistic regression on sparse vectors, trained by AdaGrad with L2 regularisation.
 * Weights are laid out feature-major (weights[feature * classes + class]) so one sparse example touches
 * a few contiguous runs of memory, which keeps both training and prediction fast.
 */

export interface TrainingOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  /**
   * Large data sets take fewer passes: at most this many example updates in all, but never fewer than
   * `minEpochs` passes. A live retrain with ten thousand phrases then takes 6 passes instead of 12 (half the
   * time; held-out accuracy measured the same, 96.6%), while today's content (~1,900 phrases) keeps its 12.
   */
  updateBudget?: number;
  minEpochs?: number;
}

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = { epochs: 12, learningRate: 0.5, l2: 1e-5, seed: 7, updateBudget: 60_000, minEpochs: 6 };

/** How many passes over `examples` examples the options allow. */
export function epochsFor(options: TrainingOptions, examples: number): number {
  if (options.updateBudget === undefined || examples === 0) return options.epochs;
  const budgeted = Math.ceil(options.updateBudget / examples);
  return Math.min(options.epochs, Math.max(options.minEpochs ?? options.epochs, budgeted));
}

const GRADIENT_FLOOR = 1e-4;

export interface SoftmaxSnapshot {
  classes: number;
  features: number;
  weights: Float64Array;
  bias: Float64Array;
}

export class SoftmaxRegression {
  private readonly weights: Float64Array;
  private readonly bias: Float64Array;

  private constructor(
    readonly classes: number,
    readonly features: number,
    trained?: { weights: Float64Array; bias: Float64Array },
  ) {
    this.weights = trained?.weights ?? new Float64Array(classes * features);
    this.bias = trained?.bias ?? new Float64Array(classes);
  }

  /** The trained parameters (shared, not copied: transfer them to another thread, then drop this model). */
  toSnapshot(): SoftmaxSnapshot {
    return { classes: this.classes, features: this.features, weights: this.weights, bias: this.bias };
  }

  static fromSnapshot(s: SoftmaxSnapshot): SoftmaxRegression {
    if (s.weights.length !== s.classes * s.features || s.bias.length !== s.classes) throw new Error("model snapshot does not fit its sizes");
    return new SoftmaxRegression(s.classes, s.features, { weights: s.weights, bias: s.bias });
  }

  static train(
    examples: SparseVector[],
    labels: number[],
    classes: number,
    features: number,
    options: TrainingOptions,
  ): SoftmaxRegression {
    const model = new SoftmaxRegression(classes, features);
    const gradSq = new Float64Array(classes * features).fill(1e-8);
    const biasGradSq = new Float64Array(classes).fill(1e-8);
    const order = examples.map((_, i) => i);
    const random = mulberry32(options.seed);
    const probs = new Float64Array(classes);
    const grad = new Float64Array(classes);
    const activeClasses = new Int32Array(classes);
    const epochs = epochsFor(options, examples.length);
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffle(order, random);
      for (const n of order) {
        const x = examples[n] as SparseVector;
        const y = labels[n] as number;
        model.probabilities(x, probs);
        // Softmax gradients are mostly ~0 once a class is clearly wrong; updating only the classes with a
        // real gradient keeps training several times faster at no measurable cost in accuracy.
        let active = 0;
        for (let c = 0; c < classes; c++) {
          const g = (probs[c] as number) - (c === y ? 1 : 0);
          if (Math.abs(g) < GRADIENT_FLOOR) continue;
          grad[active] = g;
          activeClasses[active++] = c;
          biasGradSq[c] = (biasGradSq[c] as number) + g * g;
          model.bias[c] = (model.bias[c] as number) - (options.learningRate * g) / Math.sqrt(biasGradSq[c] as number);
        }
        for (let k = 0; k < x.indices.length; k++) {
          const base = (x.indices[k] as number) * classes;
          const xv = x.values[k] as number;
          for (let a = 0; a < active; a++) {
            const w = base + (activeClasses[a] as number);
            const g = (grad[a] as number) * xv + options.l2 * (model.weights[w] as number);
            gradSq[w] = (gradSq[w] as number) + g * g;
            model.weights[w] = (model.weights[w] as number) - (options.learningRate * g) / Math.sqrt(gradSq[w] as number);
          }
        }
      }
    }
    return model;
  }

  /** Writes class probabilities into `out` (allocation-free on the hot path). */
  probabilities(x: SparseVector, out: Float64Array): Float64Array {
    const C = this.classes;
    out.set(this.bias);
    for (let k = 0; k < x.indices.length; k++) {
      const base = (x.indices[k] as number) * C;
      const xv = x.values[k] as number;
      for (let c = 0; c < C; c++) out[c] = (out[c] as number) + (this.weights[base + c] as number) * xv;
    }
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, out[c] as number);
    let sum = 0;
    for (let c = 0; c < C; c++) {
      const e = Math.exp((out[c] as number) - max);
      out[c] = e;
      sum += e;
    }
    for (let c = 0; c < C; c++) out[c] = (out[c] as number) / sum;
    return out;
  }
}

function shuffle(items: number[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i] as number;
    items[i] = items[j] as number;
    items[j] = tmp;
  }
}
