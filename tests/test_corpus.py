"""The shared corpus of real errors: the contract for ranking (no per-case code)."""

from gemini_doctor import explain


def test_every_case_ranks_as_required(shared_corpus):
    failures = []
    for case in shared_corpus:
        ranked = [c.cause.id for c in explain(case["error_text"]).causes]
        if case["determinable"] and ranked[0] not in case["expected"]:
            failures.append(f"{case['id']}: first {ranked[0]}, expected one of {case['expected']}")
        if case["truth"] not in ranked[:3]:
            failures.append(f"{case['id']}: truth {case['truth']} not in top 3 {ranked[:3]}")
    assert not failures, "\n".join(failures)


def test_undeterminable_cases_point_to_live_checks(shared_corpus):
    for case in shared_corpus:
        if not case["determinable"]:
            result = explain(case["error_text"]).to_dict()
            assert not result["settled"], case["id"]
            assert "gemini-doctor check" in result["next_step"]
            assert all(c["checks"] for c in result["causes"]), case["id"]
