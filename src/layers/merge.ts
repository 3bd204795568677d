// Merge layers (TF.js names): add, subtract, multiply, average, maximum and concatenate
// combine the outputs of several layers in a functional model (`layers.add().apply([a, b])`).
// The elementwise ones need inputs of one shape; concatenate joins along an axis where
// every other dimension agrees. Kernels: assembly/merge.ts.
//
// Backward gives every input a gradient buffer of its own (the first input of add and
// subtract gets dy itself): the producers of the inputs may overwrite their dy in place,
// so two inputs must never share one buffer.

import { runtime, type WasmTensor } from '../../bindings/index.js';
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
        k.addTo(y.ptr, xs[0].ptr, xs[1].ptr, m);
        for (let i = 2; i < xs.length; i++) k.addTo(y.ptr, y.ptr, xs[i].ptr, m);
        if (this.className === 'Average') k.scaleTo(y.ptr, y.ptr, m, 1 / xs.length);
        break;
      case 'Subtract':
        k.subTo(y.ptr, xs[0].ptr, xs[1].ptr, m);
        break;
      case 'Multiply':
        k.mul(y.ptr, xs[0].ptr, xs[1].ptr, m);
        for (let i = 2; i < xs.length; i++) k.mul(y.ptr, y.ptr, xs[i].ptr, m);
        break;
      case 'Maximum':
        for (let i = 0; i < xs.length; i++) k.maxMerge(y.ptr, this.idx!.ptr, xs[i].ptr, m, i);
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
        case 'Add': k.scaleTo(dx.ptr, dy.ptr, m, 1); break;
        case 'Subtract': k.scaleTo(dx.ptr, dy.ptr, m, -1); break;
        case 'Average': k.scaleTo(dx.ptr, dy.ptr, m, 1 / xs.length); break;
        case 'Multiply': {
          // dx_i = dy ⊙ Π_{j≠i} x_j, multiplied in input order
          let first = true;
          for (let j = 0; j < xs.length; j++) {
            if (j === i) continue;
            k.mul(dx.ptr, first ? dy.ptr : dx.ptr, xs[j].ptr, m);
            first = false;
          }
          break;
        }
        case 'Maximum': k.selectGrad(dx.ptr, dy.ptr, this.idx!.ptr, m, i); break;
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
  /** Per input: bytes of one block, and its offset in an output block. */
  private blocks: { bytes: number; offset: number }[] = [];
  private outer = 0;
  private outBlock = 0;

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
    const es = ctx.dtype === 'float32' ? 4 : 8;
    this.outer = size(out.slice(0, p));
    this.outBlock = size(out.slice(p)) * es;
    let offset = 0;
    this.blocks = shapes.map((s) => {
      const bytes = size(s.slice(p)) * es;
      const b = { bytes, offset };
      offset += bytes;
      return b;
    });
    return out;
  }

  override forwardInputs(xs: WasmTensor[], n: number): WasmTensor {
    const ex = runtime().exports;
    this.xs = xs.slice();
    const rows = n * this.outer;
    xs.forEach((x, i) => {
      const b = this.blocks[i];
      ex.copy_rows(this.y.ptr + b.offset, x.ptr, rows, b.bytes, this.outBlock, b.bytes);
    });
    return this.y;
  }

  override backwardInputs(dy: WasmTensor, n: number, needDx: boolean[]): (WasmTensor | null)[] {
    const ex = runtime().exports;
    const rows = n * this.outer;
    return this.blocks.map((b, i) => {
      if (!needDx[i]) return null;
      const dx = this.dxs[i];
      ex.copy_rows(dx.ptr, dy.ptr + b.offset, rows, b.bytes, b.bytes, this.outBlock);
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
