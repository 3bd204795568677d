// Merge layers (TF.js names): add, subtract, multiply, average, maximum and concatenate
// combine the outputs of several layers in a functional model (`layers.add().apply([a, b])`).
// The elementwise ones need inputs of one shape; concatenate joins along an axis where
// every other dimension agrees. Kernels: assembly/merge.ts.
//
// Backward gives every input a gradient buffer of its own (the first input of add and
// subtract gets dy itself): the producers of the inputs may overwrite their dy in place,
// so two inputs must never share one buffer.

import type { TensorView, WasmTensor } from '../../bindings/index.js';
import { describe } from '../options.js';
import { Layer, size, type BuildContext, type LayerArgs } from './layer.js';

type MergeKind = 'Add' | 'Subtract' | 'Multiply' | 'Average' | 'Maximum' | 'Concatenate';

const shapeStr = (s: readonly number[]) => `[${s.join(', ')}]`;

abstract class Merge extends Layer {
  protected shapes: number[][] = [];
  protected xs: WasmTensor[] = [];
  protected y!: WasmTensor;
  protected dxs: WasmTensor[] = [];

  protected setup(): number[] {
    throw new Error(`${this.className} merges several inputs: use it in a functional model, e.g. layers.${this.factory}().apply([a, b])`);
  }

  protected abstract get factory(): string;
  /** Checks the input shapes and returns the output shape. */
  protected abstract mergeShape(shapes: number[][]): number[];

  override buildMany(shapes: number[][], ctx: BuildContext): number[] {
    if (shapes.length < 2) throw new Error(`${this.className} merges several inputs (at least 2, got ${shapes.length}): use it in a functional model, e.g. layers.${this.factory}().apply([a, b])`);
    const out = this.mergeShape(shapes);
    this.k = ctx.k;
    this.dtype = ctx.dtype;
    this.shapes = shapes.map((s) => s.slice());
    this.inputShape = shapes[0].slice();
    this.outputShape = out;
    return out.slice();
  }

  /** Input shapes of the node (one per input). */
  get inputShapes(): number[][] {
    return this.shapes.map((s) => s.slice());
  }

  protected allocateBuffers(capacity: number): void {
    this.y = this.buffer([capacity, ...this.outputShape]);
    this.dxs = this.shapes.map((s) => this.buffer([capacity, ...s]));
  }

  override get output(): WasmTensor | null {
    return this.y ?? null;
  }

  forward(): WasmTensor {
    throw new Error(`${this.className} takes several inputs (forwardInputs)`);
  }

  backward(): WasmTensor | null {
    throw new Error(`${this.className} takes several inputs (backwardInputs)`);
  }

  override dispose(): void {
    super.dispose();
    this.shapes = [];
    this.xs = [];
  }

  protected layerConfig(): Record<string, unknown> {
    return {};
  }
}

/** add, subtract, multiply, average, maximum: inputs of one shape, elementwise. */
class Elementwise extends Merge {
  readonly className: MergeKind;
  private idx: WasmTensor | null = null;

  constructor(kind: Exclude<MergeKind, 'Concatenate'>, args: LayerArgs | undefined) {
    super(args, kind[0].toLowerCase() + kind.slice(1), []);
    this.className = kind;
  }

  protected get factory(): string { return this.className.toLowerCase(); }

  protected mergeShape(shapes: number[][]): number[] {
    if (this.className === 'Subtract' && shapes.length !== 2) throw new Error(`subtract takes exactly 2 inputs, got ${shapes.length}`);
    for (const s of shapes.slice(1)) {
      if (s.length !== shapes[0].length || s.some((d, i) => d !== shapes[0][i])) {
        throw new Error(`${this.factory} needs inputs of one shape, got ${shapes.map(shapeStr).join(' and ')}`);
      }
    }
    return shapes[0].slice();
  }

  protected override allocateBuffers(capacity: number): void {
    super.allocateBuffers(capacity);
    this.idx = this.className === 'Maximum' ? this.buffer([capacity, ...this.outputShape], 'int32') : null;
  }

  override forwardInputs(xs: WasmTensor[], n: number): WasmTensor {
    const m = n * size(this.outputShape);
    const { k, y } = this;
    this.xs = xs.slice();
    switch (this.className) {
      case 'Add': case 'Average':
        k.addTo(y, xs[0], xs[1], m);
        for (let i = 2; i < xs.length; i++) k.addTo(y, y, xs[i], m);
        if (this.className === 'Average') k.scaleTo(y, y, m, 1 / xs.length);
        break;
      case 'Subtract':
        k.subTo(y, xs[0], xs[1], m);
        break;
      case 'Multiply':
        k.mul(y, xs[0], xs[1], m);
        for (let i = 2; i < xs.length; i++) k.mul(y, y, xs[i], m);
        break;
      case 'Maximum':
        for (let i = 0; i < xs.length; i++) k.maxMerge(y, this.idx!, xs[i], m, i);
        break;
    }
    return y;
  }

  override backwardInputs(dy: WasmTensor, n: number, needDx: boolean[]): (WasmTensor | null)[] {
    const m = n * size(this.outputShape);
    const { k, xs } = this;
    const inPlaceFirst = this.className === 'Add' || this.className === 'Subtract';
    return xs.map((_, i) => {
      if (!needDx[i]) return null;
      if (i === 0 && inPlaceFirst) return null; // filled last: it is dy itself
      const dx = this.dxs[i];
      switch (this.className) {
        case 'Add': k.scaleTo(dx, dy, m, 1); break;
        case 'Subtract': k.scaleTo(dx, dy, m, -1); break;
        case 'Average': k.scaleTo(dx, dy, m, 1 / xs.length); break;
        case 'Multiply': {
          // dx_i = dy ⊙ Π_{j≠i} x_j, multiplied in input order
          let first = true;
          for (let j = 0; j < xs.length; j++) {
            if (j === i) continue;
            k.mul(dx, first ? dy : dx, xs[j], m);
            first = false;
          }
          break;
        }
        case 'Maximum': k.selectGrad(dx, dy, this.idx!, m, i); break;
      }
      return dx;
    }).map((dx, i) => (i === 0 && inPlaceFirst && needDx[0] ? dy : dx));
  }
}

export interface ConcatenateArgs extends LayerArgs {
  /** Axis to join along, counting the batch axis as 0 (default −1: the last). */
  axis?: number;
}

export class Concatenate extends Merge {
  readonly className = 'Concatenate';
  readonly axis: number;
  /** Per input: elements of one block, and its offset in an output block (elements). */
  private blocks: { size: number; offset: number }[] = [];
  private outer = 0;
  /** Elements of one output block (all the inputs' blocks side by side). */
  private outBlock = 0;
  /** Per input: y from its first block on, and the same window of dy (re-pointed at each backward's dy). */
  private yAt: TensorView[] = [];
  private dyAt: TensorView[] = [];

  constructor(args: ConcatenateArgs = {}) {
    super(args, 'concatenate', ['axis']);
    const axis = args?.axis ?? -1;
    if (!Number.isInteger(axis)) throw new Error(`concatenate axis must be an integer, got ${describe(axis)}`);
    this.axis = axis;
  }

  protected get factory(): string { return 'concatenate'; }

  protected mergeShape(shapes: number[][]): number[] {
    const rank = shapes[0].length + 1; // with the batch axis
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (a <= 0 || a >= rank) throw new Error(`concatenate axis ${this.axis} is out of range for inputs of rank ${rank} (batch axis included; the batch axis 0 cannot be joined)`);
    const p = a - 1;
    for (const s of shapes) {
      if (s.length !== shapes[0].length || s.some((d, i) => i !== p && d !== shapes[0][i])) {
        throw new Error(`concatenate along axis ${this.axis} needs inputs whose other dimensions agree, got ${shapes.map(shapeStr).join(' and ')}`);
      }
    }
    const out = shapes[0].slice();
    out[p] = shapes.reduce((t, s) => t + s[p], 0);
    return out;
  }

  override buildMany(shapes: number[][], ctx: BuildContext): number[] {
    const out = super.buildMany(shapes, ctx);
    const p = (this.axis < 0 ? this.axis + shapes[0].length + 1 : this.axis) - 1;
    this.outer = size(out.slice(0, p));
    this.outBlock = size(out.slice(p));
    let offset = 0;
    this.blocks = shapes.map((s) => {
      const b = { size: size(s.slice(p)), offset };
      offset += b.size;
      return b;
    });
    return out;
  }

  protected override allocateBuffers(capacity: number): void {
    super.allocateBuffers(capacity);
    this.yAt = this.blocks.map((b) => this.y.at(b.offset));
    this.dyAt = this.blocks.map((b) => this.y.at(b.offset));
  }

  override forwardInputs(xs: WasmTensor[], n: number): WasmTensor {
    this.xs = xs.slice();
    const rows = n * this.outer, es = this.k.bytes;
    for (let i = 0; i < xs.length; i++) {
      const b = this.blocks[i];
      this.k.copyRows(this.yAt[i], xs[i], rows, b.size * es, this.outBlock * es, b.size * es);
    }
    return this.y;
  }

  override backwardInputs(dy: WasmTensor, n: number, needDx: boolean[]): (WasmTensor | null)[] {
    const rows = n * this.outer, es = this.k.bytes;
    return this.blocks.map((b, i) => {
      if (!needDx[i]) return null;
      const dx = this.dxs[i];
      this.k.copyRows(dx, this.dyAt[i].retarget(dy), rows, b.size * es, b.size * es, this.outBlock * es);
      return dx;
    });
  }

  protected override layerConfig(): Record<string, unknown> {
    return { axis: this.axis };
  }
}

export type MergeArgs = LayerArgs;

export const add = (args?: MergeArgs): Layer => new Elementwise('Add', args);
export const subtract = (args?: MergeArgs): Layer => new Elementwise('Subtract', args);
export const multiply = (args?: MergeArgs): Layer => new Elementwise('Multiply', args);
export const average = (args?: MergeArgs): Layer => new Elementwise('Average', args);
export const maximum = (args?: MergeArgs): Layer => new Elementwise('Maximum', args);
export const concatenate = (args?: ConcatenateArgs): Concatenate => new Concatenate(args);
export { Merge };
