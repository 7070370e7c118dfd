import { openai } from '@ai-sdk/openai';
import { generateText } from 'ai';

const SUMMARY_INSTRUCTIONS = `Summarize the conversation between a customer and support.
List the customer's problem, what was tried, and the next step, as three short bullet points.`;

export async function summarizeConversation(transcript: string): Promise<string> {
  const { text } = await generateText({
    model: openai('gpt-4o-mini'),
    system: SUMMARY_INSTRUCTIONS,
    prompt: `Conversation:\n${transcript}`,
    maxOutputTokens: 200,
  });
  return text;
}
