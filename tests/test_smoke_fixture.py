from classifier import annotate


def test_tiny_model_annotates_the_fixture_article(tiny_model, article):
    result = annotate(tiny_model, article)
    assert len(result["sentences"]) == 6
    assert result["sentences"][0]["text"] == "Mali accuses Kyiv of backing rebels"
