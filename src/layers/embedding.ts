// Embedding (Keras): integer tokens [batch, ...] → rows of a table, [batch, ..., outputDim].
// embeddings [inputDim, outputDim], default initializer randomUniform(±0.05) as Keras.
// Tokens arrive in the model's float dtype (exact integers up to 2^24 in float32); the
// lookup kernel reports the first one that is not an integer in [0, inputDim), and the
// forward raises an Error naming it before anything is written elsewhere.
// Backward scatters dy into the table's gradient in token order; tokens have no gradient,
// so the layer must come first (or after layers without weights).

import type { WasmTensor } from '../../bindings/index.js';
import { getInitializer, type Initializer, type InitializerSpec } from '../initializers.js';
import { checkRegularizer, type Regularizer } from '../regularizers.js';
import { serialize, type Serialized } from '../serialization.js';
import { Layer, positiveInt, size, type BuildContext, type LayerArgs, type Param, type TrainableParam } from './layer.js';

export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: tokens are integers in [0, inputDim). */
  inputDim: number;
  /** Size of each token's vector. */
  outputDim: number;
  /** Default randomUniform({minval: -0.05, maxval: 0.05}) (Keras 'uniform'). */
  embeddingsInitializer?: InitializerSpec;
  embeddingsRegularizer?: Regularizer | Serialized | null;
}

export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  private readonly init: Initializer;
  private readonly reg: Regularizer | null;
  private table!: TrainableParam;
  private y!: WasmTensor;
  /** saved by forward: the token buffer */
  private x: WasmTensor | null = null;

  constructor(args: EmbeddingArgs) {
    if (!args || typeof args !== 'object') throw new Error('embedding: expected an args object such as {inputDim: 1000, outputDim: 16}');
    super(args, 'embedding', ['inputDim', 'outputDim', 'embeddingsInitializer', 'embeddingsRegularizer']);
    this.inputDim = positiveInt(args.inputDim, 'embedding inputDim');
    this.outputDim = positiveInt(args.outputDim, 'embedding outputDim');
    this.init = getInitializer(args.embeddingsInitializer ?? { className: 'randomUniform', config: { minval: -0.05, maxval: 0.05 } }, 'embedding embeddingsInitializer');
    this.reg = checkRegularizer(args.embeddingsRegularizer, 'embedding embeddingsRegularizer');
  }

  protected setup(inputShape: number[], ctx: BuildContext): number[] {
    this.table = this.param('embeddings', [this.inputDim, this.outputDim], this.reg);
    this.init.fill(this.table.value, { fanIn: this.inputDim, fanOut: this.outputDim }, ctx.k, ctx.initRng, ctx.scratch);
    return [...inputShape, this.outputDim];
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, ...this.outputShape]);
  }

  forward(x: WasmTensor, n: number): WasmTensor {
    const count = n * size(this.inputShape);
    const bad = this.k.embedding(this.y, this.table.value, x, count, this.inputDim, this.outputDim);
    if (bad >= 0) {
      const L = size(this.inputShape);
      throw new Error(`embedding '${this.name}': token ${x.view()[bad]} (sample ${Math.floor(bad / L)}, position ${bad % L}) is not an integer in [0, ${this.inputDim}) (inputDim ${this.inputDim})`);
    }
    this.x = x;
    return this.y;
  }

  backward(dy: WasmTensor, n: number, needDx: boolean): WasmTensor | null {
    if (!this.frozen) this.k.embeddingBackward(this.table.grad, dy, this.x!, n * size(this.inputShape), this.inputDim, this.outputDim);
    if (needDx) throw new Error(`embedding '${this.name}' has no gradient for its integer inputs: put it first, before any layer with weights`);
    return null;
  }

  override get output(): WasmTensor {
    return this.y;
  }

  override params(): Param[] {
    return [this.table];
  }

  protected layerConfig(): Record<string, unknown> {
    return {
      inputDim: this.inputDim, outputDim: this.outputDim, embeddingsInitializer: serialize(this.init),
      embeddingsRegularizer: this.reg ? serialize(this.reg) : null,
    };
  }
}

export const embedding = (args: EmbeddingArgs): Embedding => new Embedding(args);
