"""Analysis core: toxicity, inflammatory and partisan detection, and the policy that yields a verdict."""
