import { describe, expect, it } from "vitest";
import { ASK_NOT_INTERACTIVE_REASON, resolveAsk } from "../../src/policy/rules/ask.js";

function recordingPrompt(answer: boolean | Error) {
  const questions: string[] = [];
  const prompt = async (question: string) => {
    questions.push(question);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { prompt, questions };
}

describe("resolveAsk", () => {
  it("confirms with --yes without prompting, on a terminal or not", async () => {
    for (const isTTY of [true, false]) {
      const { prompt, questions } = recordingPrompt(false);
      expect(await resolveAsk({ isTTY, yes: true, prompt })).toEqual({ allowed: true, via: "yes" });
      expect(questions).toEqual([]);
    }
  });

  it("refuses without a terminal and says how to confirm", async () => {
    const { prompt, questions } = recordingPrompt(true);
    expect(await resolveAsk({ isTTY: false, yes: false, prompt })).toEqual({ allowed: false, reason: ASK_NOT_INTERACTIVE_REASON });
    expect(ASK_NOT_INTERACTIVE_REASON).toBe("needs confirmation; rerun with --yes or on a terminal");
    expect(questions).toEqual([]);
  });

  it("asks the question on a terminal and follows the answer", async () => {
    const yes = recordingPrompt(true);
    expect(await resolveAsk({ isTTY: true, yes: false, prompt: yes.prompt, question: "Push to origin?" })).toEqual({
      allowed: true,
      via: "prompt",
    });
    expect(yes.questions).toEqual(["Push to origin?"]);
    const no = recordingPrompt(false);
    const declined = await resolveAsk({ isTTY: true, yes: false, prompt: no.prompt });
    expect(declined.allowed).toBe(false);
    expect(no.questions).toEqual(["Run this command?"]);
  });

  it("treats a failing prompt as no", async () => {
    const failing = recordingPrompt(new Error("stdin closed"));
    const result = await resolveAsk({ isTTY: true, yes: false, prompt: failing.prompt });
    expect(result).toMatchObject({ allowed: false, reason: expect.stringContaining("stdin closed") });
  });
});
