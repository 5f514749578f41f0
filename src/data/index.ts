export type { Dataset, ImageSet, SplitOptions, DatasetProvenance } from './types.js';
export { DEFAULT_SPLIT } from './types.js';
export { loadDataset, parseDatasetRef, formatDatasetRef, datasetRefSchema, type DatasetRef } from './load.js';
export { InputConverter } from './batches.js';
export { selectImages, stratifiedSplit, stratifiedSubset } from './splits.js';
export { parseIdx, readIdxFile } from './idx.js';
