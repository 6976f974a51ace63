"""The fault suite: crashes, takeovers, model failures, and schema fuzzing."""
