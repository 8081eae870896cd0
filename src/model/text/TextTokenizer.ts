/**
 * What text models use of a tokenizer. @huggingface/tokenizers' `Tokenizer` (what `loadTextModel` builds from
 * `tokenizer.json`) has this shape; naming only the shape keeps third-party types out of the public declarations.
 */
export interface TextTokenizer {
  /** Token ids of `text` (with the model's special tokens unless `add_special_tokens` is false). */
  encode(text: string, options?: { add_special_tokens?: boolean }): { readonly ids: readonly number[]; readonly tokens: readonly string[] };
  /** The token string of an id, if the vocabulary has it. */
  id_to_token(id: number): string | undefined;
}
