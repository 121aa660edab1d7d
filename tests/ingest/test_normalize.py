from imrsearch.ingest.normalize import fold, normalize


def test_pdf_artifacts_removed_lines_kept() -> None:
    raw = "Line one  \r\n\r\nline two\f\n\n\nline\u00a0three \u201cquoted\u201d \u2013 it\u2019s\n"
    assert normalize(raw) == 'Line one\nline two\nline three "quoted" - it\'s'


def test_fold_joins_hyphen_breaks_and_redaction_gaps() -> None:
    assert fold("prescribed since 02-17- \n2015, a represented  employee") == (
        "prescribed since 02-17-2015, a represented employee"
    )
    assert fold("followed by\nre-examination") == "followed by re-examination"
    assert fold("9792.20 - \n9792.26") == "9792.20 - 9792.26"  # a spaced dash is no hyphen
