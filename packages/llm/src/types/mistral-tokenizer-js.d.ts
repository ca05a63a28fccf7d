// The package ships no types; this is the part of its API llm-chat uses.
declare module "mistral-tokenizer-js" {
  interface MistralTokenizer {
    encode(text: string, addBosToken?: boolean, addPrecedingSpace?: boolean, logPerformance?: boolean): number[];
    decode(tokenIds: number[], addBosToken?: boolean, addPrecedingSpace?: boolean): string;
  }
  const mistralTokenizer: MistralTokenizer;
  export default mistralTokenizer;
}
