// Node side of "same file, same bits": the model files the browser and runtime parity tests
// hand to Chromium, Bun and Deno, Node's own continuations of them, and the checks that
// make the cross-runtime comparison meaningful (shared by both parity tests).
//
// Node trains the RESUMABLE models of workloads.mjs for 2 epochs and saves each with
// io.toBytes(model.save()). The other runtime loads those exact bytes, continues for 3
// epochs (shuffle, dropout, batch norm, a schedule mid-decay) and saves again; its results
// and its file must equal, bit for bit and byte for byte, what Node gets from the same bytes.

import { expect, it } from 'vitest';
import { continueTraining, flipLowestBit, resumeFromFile, startResumable, type ResumableModel, type ResumeResult } from './workloads.mjs';
import { expectNonTrivial, fileDifference, resumeDifferences } from './compare.js';

export interface ResumeFiles { names: string[]; files: Uint8Array[]; models: ResumableModel[] }

export interface NodeResume {
  /** Continuations of Node's file bytes: what every other runtime must reproduce. */
  fromFile: ResumeResult[];
  /** The models that were saved, trained on in memory without a file in between. */
  inMemory: ResumeResult[];
  /** Continuations of the files with one weight changed by one ulp. */
  flipped: ResumeResult[];
}

interface Lib { io: { toBytes(a: unknown): Uint8Array } }

/** Trains the resumable models in Node and saves each to one file's bytes (models stay live). */
export async function makeResumeFiles(lib: Lib): Promise<ResumeFiles> {
  const models = await startResumable(lib);
  return { names: models.map((m) => m.name), files: models.map((m) => lib.io.toBytes(m.save())), models };
}

/** Node's continuations: from the files, from the live models, and from one-ulp-flipped files. */
export async function continueInNode(lib: Lib, made: ResumeFiles): Promise<NodeResume> {
  const out: NodeResume = { fromFile: [], inMemory: [], flipped: [] };
  for (let i = 0; i < made.files.length; i++) {
    out.fromFile.push(await resumeFromFile(lib, made.files[i]));
    out.inMemory.push(await continueTraining(lib, made.models[i]));
    out.flipped.push(await resumeFromFile(lib, await flipLowestBit(lib, made.files[i])));
  }
  return out;
}

/** Registers the Node-only checks: the continuation is non-trivial and the comparison is sensitive. */
export function nodeResumeChecks(get: () => NodeResume | undefined): void {
  it('Node: a loaded model trains on exactly as the model that was saved (file and bytes included)', () => {
    const r = get();
    expect(r, 'node resume results').toBeDefined();
    expect(r!.fromFile.length).toBe(2);
    r!.fromFile.forEach((f, i) => expect(resumeDifferences(r!.inMemory[i], f, 'node from file'), f.name).toEqual([]));
  });

  it('Node: the continuation is non-trivial (every weight moved, loss fell, predictions vary)', () => {
    const r = get();
    expect(r, 'node resume results').toBeDefined();
    for (const f of r!.fromFile) {
      expectNonTrivial(f);
      const moved = f.loadedPredictions.words.some((w, i) => w !== f.predictions.words[i]);
      expect(moved, `${f.name}: predictions after load equal those after training`).toBe(true);
    }
  });

  it('Node: one ulp in one weight of the file changes the compared weights, predictions, losses and file', () => {
    const r = get();
    expect(r, 'node resume results').toBeDefined();
    r!.fromFile.forEach((f, i) => {
      const problems = resumeDifferences(f, r!.flipped[i], 'flipped');
      const has = (prefix: string) => problems.some((p) => p.startsWith(prefix));
      expect(has('trained weight'), `${f.name}: ${problems.join('\n')}`).toBe(true);
      expect(has('predictions:'), `${f.name}: ${problems.join('\n')}`).toBe(true);
      expect(has('predictions after load'), `${f.name}: ${problems.join('\n')}`).toBe(true);
      expect(has('history loss'), `${f.name}: ${problems.join('\n')}`).toBe(true);
      expect(fileDifference('saved file', 'flipped', f.file, r!.flipped[i].file)).not.toBe('');
    });
  });
}
