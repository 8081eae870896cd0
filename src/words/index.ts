/**
 * Word by word across models (seed 002): one embedding per word occurrence from every layer of speech models
 * (word-span stores), text models (BERT, RoBERTa) and static vectors (GloVe), the rows all of them share, and a
 * layer metric (linear CKA ...) between every layer of one model and every layer of another.
 */
export { WordEmbeddings, type WordOccurrence, type SkippedWord, type WordEmbeddingKind, type WordEmbeddingsInit } from './WordEmbeddings';
export { speechWordEmbeddings, type SpeechWordEmbeddingsOptions } from './speechWordEmbeddings';
export { textWordEmbeddings, type TextWordEmbeddingsOptions } from './textWordEmbeddings';
export { staticWordEmbeddings, type StaticWordEmbeddingsOptions, type StaticWordEmbeddingsResult } from './staticWordEmbeddings';
export { commonWordRows, wordMatrix, saveWordRows, readWordRows, type WordRows, type OccurrenceRule, type CommonWordRowsOptions } from './WordRows';
export { compareWordLayers, type CompareWordLayersOptions, type WordLayerComparison } from './compareWordLayers';
export { compareWordModels, type WordModelComparison, type ModelPairSummary } from './compareWordModels';
