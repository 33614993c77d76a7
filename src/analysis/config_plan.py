"""The models of ``config/plan.yml``: the Improvement Plan's phases, service changes and themes."""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from analysis.config_model import StrictModel


class Phase(StrictModel):
    name: str
    date: date
    description: str


class ServiceChange(StrictModel):
    date: date
    name: str
    description: str


class Theme(StrictModel):
    number: int = Field(ge=1)
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    what_we_want_to_achieve: str
    priorities: list[str] = Field(min_length=1)

    @property
    def label(self) -> str:
        """``1 Quality and Effectiveness of practice``."""
        return f"{self.number} {self.name}"

    @property
    def file_stem(self) -> str:
        """``1-quality-and-effectiveness``: used in report file names."""
        return f"{self.number}-{self.slug}"


class Plan(StrictModel):
    title: str
    subtitle: str
    strapline: str
    source: str
    priorities_and_ambitions: list[str] = Field(min_length=1)
    phases: list[Phase]
    themes: list[Theme] = Field(min_length=1)
    service_changes: list[ServiceChange] = []

    @model_validator(mode="after")
    def _themes_unique(self) -> Plan:
        numbers = [t.number for t in self.themes]
        if len(set(numbers)) != len(numbers):
            raise ValueError("theme numbers must be unique")
        return self

    def theme(self, number: int) -> Theme:
        """The theme with this number (``KeyError`` if there is none)."""
        for theme in self.themes:
            if theme.number == number:
                return theme
        raise KeyError(number)
