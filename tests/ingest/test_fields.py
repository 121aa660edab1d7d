from datetime import date

import pytest

from imrsearch.ingest.fields import read_patient, read_reviewer
from imrsearch.vocab.dates import parse_date


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("11/09/2016", date(2016, 11, 9)),
        ("10-13-16", date(2016, 10, 13)),
        ("1/7/05", date(2005, 1, 7)),
        ("January 26, 2000", date(2000, 1, 26)),
        ("Sept 3 2015", date(2015, 9, 3)),
        ("02/30/2016", None),
        ("soon", None),
    ],
)
def test_dates_in_every_style(text, day) -> None:
    assert parse_date(text) == day


def test_sentence_credentials_with_a_state_wrapped_across_lines() -> None:
    reviewer = read_reviewer(
        "The expert reviewer is Board Certified in Physical Medicine and Rehabilitation, and is"
        " licensed to practice in New\nJersey. He/she has been in active clinical practice"
    )
    assert reviewer.states == ["New Jersey"]
    assert reviewer.specialties == ["Physical Medicine and Rehabilitation"]


def test_block_credentials_with_a_wrapped_specialty() -> None:
    reviewer = read_reviewer(
        "State(s) of Licensure: California,North Carolina\n"
        "Certification(s)/Specialty: Public Health &\nGeneral Preventive Medicine\n"
    )
    assert reviewer.states == ["California", "North Carolina"]
    assert reviewer.specialties == ["Public Health & General Preventive Medicine"]


@pytest.mark.parametrize(
    ("summary", "age", "sex"),
    [
        ("The injured worker is a 47-year-old female who", 47, "female"),
        ("This 54 year old male sustained", 54, "male"),
        ("The injured worker is a female who sustained an injury", None, "female"),
        ("The applicant is a represented  employee", None, None),
    ],
)
def test_patient_age_and_sex(summary, age, sex) -> None:
    patient = read_patient(summary)
    assert (patient.age, patient.sex) == (age, sex)
