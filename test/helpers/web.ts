/**
 * The browser page's plain-JavaScript modules (web/), loaded from the repository root with the
 * types the tests rely on (web/ is served as it is, not compiled, so tsc does not see it).
 */
import type { Server } from "node:http";
import type * as ts from "tensorslow";

/** The repository root (tests run from build/test/...). */
export const REPO_ROOT = new URL("../../../", import.meta.url);

export interface ServeModule {
  MIME_TYPES: Record<string, string>;
  ISOLATION_HEADERS: Record<string, string>;
  serve(options?: { root?: string; isolated?: boolean; port?: number; host?: string }): Promise<{ server: Server; url: string }>;
}

type Point = ts.data.playground.PlaygroundPoint;

/** The Playground's state: the TensorFlow Playground's URL parameters and ours (web/playground/state.js). */
export interface PlaygroundState {
  activation: string;
  regularization: string;
  batchSize: number;
  dataset: string;
  regDataset: string;
  learningRate: number;
  regularizationRate: number;
  noise: number;
  networkShape: number[];
  seed: string | undefined;
  showTestData: boolean;
  discretize: boolean;
  percTrainData: number;
  problem: string;
  initZero: boolean;
  hideText: boolean;
  optimizer: string;
  loss: string;
  init: string;
  stopAt: number;
  backend: string | undefined;
  hidden: string[];
  [feature: string]: unknown;
}

export interface StateModule {
  defaultState(): PlaygroundState;
  parseHash(hash: string): { state: PlaygroundState; problems: string[] };
  serializeState(state: PlaygroundState): string;
  seedNumber(seed: string | number): number;
  datasetOf(state: PlaygroundState): string;
}

export interface Network {
  graph: ts.Graph;
  x: ts.Node;
  y: ts.Node;
  layers: ts.Node[];
  output: ts.Node;
  loss: ts.Node;
  objective: ts.Node;
  variables: ts.Variable[];
  values: ts.Node[];
  gradientOf: Map<ts.Node, ts.Node | null>;
  train: ts.GraphNode;
  crossEntropy: boolean;
}

export interface Trainer {
  state: PlaygroundState;
  data: { train: Point[]; test: Point[] };
  epoch: number;
  net: Network;
  session: ts.Session;
  trainFeed: Map<ts.Node, ts.Tensor>;
  step(): void;
  losses(): { train: number; test: number };
  retune(change: { learningRate?: number; optimizer?: string }): void;
  snapshot(X: ts.Tensor): { layers: ts.Tensor[]; weights: { kernel: ts.Tensor; bias: ts.Tensor }[] };
  weights(): { kernel: ts.Tensor; bias: ts.Tensor }[];
  deadLinks(): boolean[][][] | null;
  setWeight(layer: number, from: number, to: number, value: number): void;
  close(): void;
}

export interface ModelModule {
  Trainer: new (state: PlaygroundState, data?: { train: Point[]; test: Point[] }) => Trainer;
  makeData(state: PlaygroundState): { train: Point[]; test: Point[] };
  buildProblem(state: PlaygroundState): string | null;
  domainOf(state: PlaygroundState): [number, number];
  dependsOn(node: ts.GraphNode, target: ts.GraphNode): boolean;
}

export interface FeaturesModule {
  FEATURES: readonly { key: string; label: string; f(x1: number, x2: number): number }[];
  activeFeatures(state: PlaygroundState): FeaturesModule["FEATURES"];
  featureMatrix(points: readonly { x: number; y: number }[], features: FeaturesModule["FEATURES"]): Float32Array;
  gridPoints(density: number, domain: [number, number]): { x: number; y: number }[];
}

export interface CodeModule {
  programFor(state: PlaygroundState, hash?: string): string;
  epochsOf(state: PlaygroundState): number;
  logEvery(epochs: number): number;
}

export interface PresetsModule {
  PRESETS: Record<string, { title: string; text: string; state: Partial<PlaygroundState> }>;
  presetState(id: string): PlaygroundState;
}

export interface GraphViewModule {
  /** Whether running `node` would change a variable (it is an update, or needs one); `memo` is shared between calls. */
  runsUpdate(node: ts.GraphNode, memo?: Map<ts.GraphNode, boolean>): boolean;
}

const load = <T>(path: string): Promise<T> => import(new URL(path, REPO_ROOT).href) as Promise<T>;
export const loadServe = (): Promise<ServeModule> => load("web/serve.js");
export const loadState = (): Promise<StateModule> => load("web/playground/state.js");
export const loadModel = (): Promise<ModelModule> => load("web/playground/model.js");
export const loadFeatures = (): Promise<FeaturesModule> => load("web/playground/features.js");
export const loadCode = (): Promise<CodeModule> => load("web/playground/code.js");
export const loadGraphView = (): Promise<GraphViewModule> => load("web/playground/graph-view.js");
export const loadPresets = (): Promise<PresetsModule> => load("web/playground/presets.js");
