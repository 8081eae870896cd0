/**
 * Data: audio decoding and resampling (`audio/`), dataset loaders with seeded selections (`datasets/`: local
 * folders, manifests, LibriSpeech trees, and Hugging Face hub datasets read from their Parquet files),
 * word and phone alignments (`alignments/`), synthetic speech for offline demos (`synth/`), and NumPy
 * `.npy`/`.npz` files (`io/`).
 */
export { loadAudio, type AudioClip, type LoadAudioOptions } from './audio/loadAudio';
export { decodeAudio } from './audio/decodeAudio';
export type { DecodedAudio, AudioFormat } from './audio/DecodedAudio';
export { resample, type ResampleOptions, type ResampleQuality } from './audio/resample';
export { encodeWav, type EncodeWavOptions } from './audio/encodeWav';
export { Dataset, type DatasetItem, type Selection, type RangeSelection, type ShuffleOptions } from './datasets/Dataset';
export { loadHubDataset, parseHubSource, type LoadHubDatasetOptions, type HubDatasetItem, type HubValue, type HubSource } from './datasets/loadHubDataset';
export { hubShuffle, type NumpySeed } from './datasets/numpyRandom';
export { loadLabelledFolders, type LabelledItem, type LabelledSplit, type LoadLabelledFoldersOptions } from './datasets/loadLabelledFolders';
export { loadLibriSpeech, type LibriSpeechItem, type LoadLibriSpeechOptions } from './datasets/loadLibriSpeech';
export { loadManifest, type LoadManifestOptions, type ManifestFormat } from './datasets/loadManifest';
export type { Alignment, AlignedSpan } from './alignments/Alignment';
export { readTextGrid, parseTextGrid, type TextGrid, type TextGridTier, type TextGridInterval } from './alignments/readTextGrid';
export { normalizeSpans, type LabelRules } from './alignments/normalizeLabels';
export { loadAlignments, alignmentFromTextGrid, alignmentTsv, alignmentJson, alignmentsFromTsv, type LoadAlignmentsOptions } from './alignments/loadAlignments';
export { wordFrameJson, type WordFrameJsonOptions } from './alignments/wordFrameJson';
export { joinAlignments, type JoinAlignmentsOptions, type JoinedAlignments } from './alignments/joinAlignments';
export { spanFrames, type FrameRule, type SpanFramesOptions } from './alignments/spanFrames';
export { readCtm, parseCtm } from './alignments/readCtm';
export { sampleSegments, segmentSampleJson, sampleUtterances, type SampleSegmentsOptions, type SampledSegment, type SegmentSample } from './alignments/sampleSegments';
export { textGridText, type TextGridTierInput } from './alignments/writeTextGrid';
export { synthesizeSpokenWords, type SynthesizeSpokenWordsOptions, type SynthesizeSpokenWordsResult } from './synth/synthesizeSpokenWords';
export { synthesizeAlignedSpeech, type SynthesizeAlignedSpeechOptions, type SynthesizeAlignedSpeechResult } from './synth/synthesizeAlignedSpeech';
export { composeSentences } from './synth/composeSentences';
export { FESTIVAL_VOICES, type FestivalVoice, type FestivalVoiceName } from './synth/FestivalVoice';
export { synthesizeSpokenSentences, type SynthesizeSpokenSentencesOptions, type SynthesizeSpokenSentencesResult } from './synth/synthesizeSpokenSentences';
export { readNpy } from './io/readNpy';
export { writeNpy, type NpyInput } from './io/writeNpy';
export { readNpz } from './io/readNpz';
export type { NpyArray, NpyData, NpyDtype } from './io/NpyArray';
export { dataFolder, type DataFolderOptions } from './dataFolder';
