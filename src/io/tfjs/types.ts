// What the TF.js Layers format exchanges, as `tf.io.ModelArtifacts` of a 'layers-model'
// hold it, and the options of an import.

import type { DType } from '../../../bindings/index.js';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface TfjsLayerJson {
  class_name: string;
  config: Record<string, unknown>;
}

export interface TfjsModelTopology {
  /** 'Model': a functional model (layers with inbound_nodes, input_layers, output_layers). */
  class_name: 'Sequential' | 'Model';
  config: { name: string; layers: TfjsLayerJson[]; input_layers?: [string, number, number][]; output_layers?: [string, number, number][] };
  keras_version: string;
  backend: string;
}

/** TF.js `ModelArtifacts` of a Layers model. */
export interface TfjsArtifacts {
  modelTopology: TfjsModelTopology;
  weightSpecs: TfjsWeightSpec[];
  weightData: ArrayBuffer;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
}

export interface FromTfjsOptions {
  /** Seed of the imported model's random streams (dropout, shuffling, re-initialization). */
  seed?: number;
  /** 'float32' (default) or 'float64' (the float32 weights are widened). */
  dtype?: DType;
}
