"""The synthetic programme: editions, organisations, projects, students, Tour events and survey
answers, deterministic for a seed, written as files in the project's templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from etl import reference
from etl.schema import CAUSES, EVENT_TYPES, LEGAL_FORMS, TECH_TYPES


EDITIONS = [f"{y}-{y + 1}" for y in range(2017, 2026)]
CURRENT_EDITION = EDITIONS[-1]
TOUR_START = 2019


@dataclass(frozen=True)
class Scale:
    organisations: int
    projects: int
    students: int
    events: int
    schools: int | None = None  # total schools; synthetic ones are added beyond the reference
    # Share of the students met at a school's Tour event who answer the pre questionnaire
    # there without joining the programme (not on the roster, never paired).
    event_respondent_rate: float = 0.0


SCALES = {
    "tiny": Scale(organisations=40, projects=60, students=400, events=24),
    "default": Scale(organisations=200, projects=250, students=3000, events=100),
    # DESIGN 10: 2 million answers (about 200,000 responses of about 10 answers) are more
    # than 100,000 roster students give with 30-40 % attrition, so the Tour's audiences answer
    # too, as they do when the programme runs nationally.
    "national": Scale(organisations=4000, projects=5000, students=100_000, events=2000,
                      schools=200, event_respondent_rate=0.5),
}

REGION_WEIGHTS = {"11": 18, "84": 12, "76": 9, "75": 9, "93": 8, "32": 9, "44": 8, "52": 6,
                  "53": 5, "28": 5, "27": 4, "24": 4, "94": 1, "01": 1, "02": 1, "03": 1,
                  "04": 1.5, "06": 0.6}
CITIES = {
    "01": ["Pointe-à-Pitre", "Basse-Terre"], "02": ["Fort-de-France"], "03": ["Cayenne"],
    "04": ["Saint-Denis", "Saint-Pierre"], "06": ["Mamoudzou"],
    "11": ["Paris", "Saint-Denis", "Palaiseau", "Créteil"], "24": ["Orléans", "Tours"],
    "27": ["Dijon", "Besançon"], "28": ["Rouen", "Caen"], "32": ["Lille", "Amiens", "Compiègne"],
    "44": ["Strasbourg", "Nancy", "Reims"], "52": ["Nantes", "Angers"],
    "53": ["Rennes", "Brest"], "75": ["Bordeaux", "Poitiers", "Limoges"],
    "76": ["Toulouse", "Montpellier"], "84": ["Lyon", "Grenoble", "Clermont-Ferrand"],
    "93": ["Marseille", "Nice"], "94": ["Ajaccio", "Corte"],
}
ORG_WORDS = ["Solidarités", "Entraide", "Avenir", "Horizons", "Partage", "Terre", "Lien",
             "Réseau", "Ateliers", "Maison", "Collectif", "Jardins", "Écoute", "Tremplin"]
PLACES = ["du Quartier", "des Possibles", "Citoyenne", "Vivante", "pour Tous", "Solidaire",
          "de Demain", "Ouverte", "Partagée", "Durable"]
TITLE_WORDS = ["Plateforme", "Application", "Carte", "Tableau de bord", "Outil", "Site",
               "Assistant", "Annuaire"]
TITLE_OBJECTS = ["des bénévoles", "des dons", "d'orientation", "de suivi des bénéficiaires",
                 "des circuits courts", "d'accès aux droits", "de covoiturage solidaire",
                 "de collecte", "d'inscription", "pédagogique"]
LIKERT_ITEMS = ("wants_useful", "tech_for_good", "consider_ess_career", "intends_volunteer")
STRUCTURES = ("association", "cooperative", "mutuelle", "fondation", "entreprise_sociale")
STRUCTURE_LABELS = ("Association", "Coopérative", "Mutuelle", "Fondation",
                    "Entreprise sociale (ESUS)")
KNOWS_LABELS = {2: "Oui, précisément", 1: "Vaguement", 0: "Non"}


def demo_email(index: int) -> str:
    return f"etudiant{index:06d}@example.org"


def event_email(index: int) -> str:
    return f"participant{index:06d}@example.org"


def wave_start(editions: pd.Series, wave: str) -> pd.Series:
    """Pre answers come from 1 October of the edition, post answers from 1 May."""
    years = editions.str[:4].astype(int) + (1 if wave == "post" else 0)
    return pd.to_datetime(pd.DataFrame({"year": years, "month": 10 if wave == "pre" else 5,
                                        "day": 1}))


class Generator:
    def __init__(self, seed: int = 42, scale: str = "default"):
        self.rng = np.random.default_rng(seed)
        self.scale = SCALES[scale]
        self.scale_name = scale
        self.schools = pd.DataFrame(reference.school_rows())
        if self.scale.schools and self.scale.schools > len(self.schools):
            self.schools = pd.concat([self.schools, self.synthetic_schools(
                self.scale.schools - len(self.schools))], ignore_index=True)
        # How much a school's students learn: the change differs by school.
        self.school_effect = dict(zip(self.schools["school_id"],
                                      self.rng.uniform(0.15, 0.55, len(self.schools))))
        growth = np.array([1 + 0.45 * i for i in range(len(EDITIONS))])
        self.edition_weights = growth / growth.sum()

    def synthetic_schools(self, count: int) -> pd.DataFrame:
        codes = list(REGION_WEIGHTS)
        weights = np.array(list(REGION_WEIGHTS.values()))
        regions = self.rng.choice(codes, size=count, p=weights / weights.sum())
        return pd.DataFrame({
            "school_id": [f"demo-ecole-{i:03d}" for i in range(1, count + 1)],
            "name": [f"École d'ingénieurs de démonstration {i}" for i in range(1, count + 1)],
            "short_name": [f"EID{i}" for i in range(1, count + 1)],
            "city": [self.rng.choice(CITIES[r]) for r in regions],
            "region_code": regions, "is_synthetic": True,
        })

    def pick(self, values, size, p=None):
        return self.rng.choice(np.asarray(values, dtype=object), size=size, p=p)

    def organisations(self) -> pd.DataFrame:
        n = self.scale.organisations
        codes = list(REGION_WEIGHTS)
        weights = np.array(list(REGION_WEIGHTS.values()))
        regions = list(codes) + list(self.pick(codes, n - len(codes), weights / weights.sum()))
        legal_p = np.array([55, 8, 8, 4, 12, 5, 8]) / 100
        return pd.DataFrame({
            "org_id": [f"ORG{i:05d}" for i in range(1, n + 1)],
            "name": [f"{self.rng.choice(ORG_WORDS)} {self.rng.choice(PLACES)} {i}"
                     for i in range(1, n + 1)],
            "legal_form": self.pick(LEGAL_FORMS, n, legal_p),
            "cause": self.pick(CAUSES, n),
            "city": [self.rng.choice(CITIES[r]) for r in regions],
            "region_code": regions[:n],
        })

    def projects(self, organisations: pd.DataFrame) -> pd.DataFrame:
        n = self.scale.projects
        editions = self.pick(EDITIONS, n, self.edition_weights)
        org_ids = list(organisations["org_id"]) + list(
            self.pick(organisations["org_id"], max(0, n - len(organisations))))
        org_ids = list(self.rng.permutation(np.asarray(org_ids[:n], dtype=object)))
        statuses = []
        for edition_name in editions:
            if edition_name == CURRENT_EDITION:
                statuses.append(self.rng.choice(["submitted", "selected", "in_progress"],
                                                p=[0.15, 0.25, 0.6]))
            else:
                statuses.append(self.rng.choice(["delivered", "abandoned", "in_progress"],
                                                p=[0.8, 0.16, 0.04]))
        starts = [pd.Timestamp(int(e[:4]), 10, 1) + pd.Timedelta(days=int(d))
                  for e, d in zip(editions, self.rng.integers(0, 60, n))]
        tech_p = np.array([24, 16, 16, 10, 3, 6, 20, 5]) / 100
        return pd.DataFrame({
            "project_id": [f"PRJ{i:05d}" for i in range(1, n + 1)],
            "title": [f"{self.rng.choice(TITLE_WORDS)} {self.rng.choice(TITLE_OBJECTS)}"
                      for _ in range(n)],
            "org_id": org_ids, "school_id": self.pick(self.schools["school_id"], n),
            "edition": editions, "tech_type": self.pick(TECH_TYPES, n, tech_p),
            "status": statuses, "students_count": self.rng.integers(3, 9, n),
            "mentors_count": self.rng.integers(1, 4, n),
            "start_date": [s.date().isoformat() for s in starts],
            "end_date": [(s + pd.Timedelta(days=200)).date().isoformat() for s in starts],
        })

    def students(self, projects: pd.DataFrame) -> pd.DataFrame:
        n = self.scale.students
        editions = self.pick(EDITIONS, n, self.edition_weights)
        schools = self.pick(self.schools["school_id"], n)
        by_key = projects.groupby(["school_id", "edition"])["project_id"].apply(list).to_dict()
        project_ids = []
        for school_id, edition_name in zip(schools, editions):
            options = by_key.get((school_id, edition_name))
            project_ids.append(self.rng.choice(options) if options and self.rng.random() < 0.7
                               else "")
        return pd.DataFrame({
            "email": [demo_email(i) for i in range(1, n + 1)], "school": schools,
            "edition": editions, "project_id": project_ids,
            "year_of_study": self.rng.integers(1, 6, n),
            "gender": self.pick(["f", "m", "x", "undisclosed"], n, [0.42, 0.5, 0.03, 0.05]),
        })

    def surveys(self, students: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
        """Pre and post responses per edition, in the canonical survey template."""
        n = len(students)
        rng = self.rng
        baseline = rng.random(n)
        knows_pre = np.where(baseline < 0.2, 2, np.where(baseline < 0.62, 1, 0))
        effect = students["school"].map(self.school_effect).to_numpy()
        learn = rng.random(n)
        knows_post = np.where(knows_pre == 2, np.where(rng.random(n) < 0.95, 2, 1),
                              np.where(learn < effect + 0.1 * knows_pre, 2,
                                       np.maximum(knows_pre, (learn < 0.8).astype(int))))
        answered_pre = rng.random(n) < 0.88
        answered_post = np.where(answered_pre, rng.random(n) < 0.64, rng.random(n) < 0.08)
        frames = {}
        for wave, knows, answered in (("pre", knows_pre, answered_pre),
                                      ("post", knows_post, answered_post)):
            rows = students.loc[answered]
            editions = rows["edition"]
            minutes = rng.integers(0, 60 * 24 * 20, len(rows))
            submitted = wave_start(editions, wave) + pd.to_timedelta(minutes, unit="min")
            frame = self.responses(rows["email"], rows["school"], editions, submitted, wave,
                                   knows[answered], effect[answered])
            for edition_name, part in frame.groupby("edition"):
                frames[(edition_name, wave)] = part
        return frames

    def responses(self, emails, schools, editions, submitted: pd.Series, wave: str,
                  knows: np.ndarray, effect: np.ndarray, vectorised: bool = False) -> pd.DataFrame:
        """One wave's answers, in the canonical survey template (times: Europe/Paris).

        `vectorised` draws the multi-select answers all at once (the national export's 100,000
        rows); the demo keeps its per-row draws so that a seed gives the same data as before.
        """
        rng = self.rng
        count = len(knows)
        shift = 0 if wave == "pre" else 1
        data = {
            "email": np.asarray(emails, dtype=object), "school": np.asarray(schools, dtype=object),
            "edition": np.asarray(editions, dtype=object), "wave": wave,
            "submitted_at": pd.Series(submitted).dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
            "knows_ess": np.array([KNOWS_LABELS[v] for v in range(3)], dtype=object)[knows],
        }
        n_known = np.clip(rng.poisson(1.2 + 0.9 * knows + 0.8 * shift), 0, 5)
        data["ess_structures_known"] = (self._structures_at_once(n_known) if vectorised else [
            ";".join(STRUCTURE_LABELS[j] for j in sorted(rng.choice(5, m, replace=False)))
            for m in n_known])
        means = {"wants_useful": 4.4, "tech_for_good": 3.9, "consider_ess_career": 2.7,
                 "intends_volunteer": 3.0}
        for item in LIKERT_ITEMS:
            gain = 0.15 if item == "wants_useful" else 0.55
            centre = means[item] + shift * gain * (0.5 + effect)
            data[item] = np.clip(np.rint(rng.normal(centre, 0.9, count)), 1, 5).astype(int)
        if wave == "post":
            data["satisfaction"] = np.clip(np.rint(rng.normal(4.1, 0.8, count)), 1, 5).astype(int)
            data["recommend"] = np.clip(np.rint(rng.normal(8.0, 1.7, count)), 0, 10).astype(int)
        return pd.DataFrame(data)

    def _structures_at_once(self, n_known: np.ndarray) -> np.ndarray:
        """`m` kinds of structures drawn without replacement per row, as labels joined by `;`."""
        ranks = self.rng.random((len(n_known), 5)).argsort(axis=1).argsort(axis=1)
        bits = ((ranks < n_known[:, None]) * (1 << np.arange(5))).sum(axis=1)
        joined = np.array([";".join(label for j, label in enumerate(STRUCTURE_LABELS) if b >> j & 1)
                           for b in range(32)], dtype=object)
        return joined[bits]

    def event_surveys(self, events: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
        """Pre answers given at the Tour's school events by students not on the roster."""
        rate = self.scale.event_respondent_rate
        hosted = events[events["school_id"] != ""]
        if not rate or hosted.empty:
            return {}
        counts = self.rng.binomial(hosted["students_attending"].to_numpy(), rate)
        schools = np.repeat(hosted["school_id"].to_numpy(), counts)
        days = pd.to_datetime(np.repeat(hosted["date"].to_numpy(), counts))
        n = len(schools)
        baseline = self.rng.random(n)
        knows = np.where(baseline < 0.2, 2, np.where(baseline < 0.62, 1, 0))
        # Handed out during the event's day, between 9:00 and 18:00.
        submitted = pd.Series(days + pd.to_timedelta(
            9 * 60 + self.rng.integers(0, 9 * 60, n), unit="min"))
        starts = submitted.dt.year - (submitted.dt.month < 9)
        editions = starts.astype(str) + "-" + (starts + 1).astype(str)
        frame = self.responses([event_email(i) for i in range(1, n + 1)], schools, editions,
                               submitted, "pre", knows, np.zeros(n))
        return {(edition_name, "pre"): part for edition_name, part in frame.groupby("edition")}

    def events(self) -> pd.DataFrame:
        n = self.scale.events
        tour_editions = [e for e in EDITIONS if int(e[:4]) >= TOUR_START]
        growth = np.array([1 + 0.3 * i for i in range(len(tour_editions))])
        editions = self.pick(tour_editions, n, growth / growth.sum())
        codes = list(REGION_WEIGHTS)
        weights = np.array(list(REGION_WEIGHTS.values()))
        regions = self.pick(codes, n, weights / weights.sum())
        dates = [pd.Timestamp(int(e[:4]), 9, 15) + pd.Timedelta(days=int(d))
                 for e, d in zip(editions, self.rng.integers(0, 270, n))]
        schools_by_region = self.schools.groupby("region_code")["school_id"].apply(list).to_dict()
        school_ids = [self.rng.choice(schools_by_region[r]) if r in schools_by_region
                      and self.rng.random() < 0.7 else "" for r in regions]
        types = self.pick(EVENT_TYPES, n, [0.3, 0.3, 0.1, 0.15, 0.15])
        attendees = self.rng.integers(15, 260, n)
        return pd.DataFrame({
            "event_id": [f"EVT{i:05d}" for i in range(1, n + 1)],
            "date": [d.date().isoformat() for d in dates],
            "city": [self.rng.choice(CITIES[r]) for r in regions], "region_code": regions,
            "school_id": school_ids, "event_type": types, "attendees": attendees,
            "students_attending": (attendees * self.rng.uniform(0.3, 0.8, n)).astype(int),
            "organisations_attending": self.rng.integers(0, 25, n),
        })

    def guide(self, events: pd.DataFrame, organisations: pd.DataFrame) -> pd.DataFrame:
        """Launched with the tour: downloads every month, print copies handed out at events."""
        rows = []
        months = pd.date_range(f"{TOUR_START}-10-01", "2026-06-01", freq="MS")
        codes = list(REGION_WEIGHTS)
        weights = np.array(list(REGION_WEIGHTS.values()))
        for month in months:
            for _ in range(max(1, self.scale.events // 40)):
                rows.append({"date": (month + pd.Timedelta(days=int(self.rng.integers(0, 27))))
                             .date().isoformat(), "channel": "download",
                             "copies": int(self.rng.integers(5, 80)),
                             "region_code": self.rng.choice(codes, p=weights / weights.sum())
                             if self.rng.random() < 0.8 else "",
                             "school_id": "", "org_id": "", "event_id": "",
                             "audience": self.rng.choice(
                                 ["students", "schools", "organisations", "professionals", "other"],
                                 p=[0.45, 0.15, 0.25, 0.1, 0.05])})
        for event in events.itertuples():
            if self.rng.random() < 0.6:
                rows.append({"date": event.date, "channel": "event",
                             "copies": int(self.rng.integers(10, max(11, event.attendees))),
                             "region_code": "", "school_id": event.school_id, "org_id": "",
                             "event_id": event.event_id, "audience": "students"})
        for org in organisations.sample(frac=0.3, random_state=int(self.rng.integers(1e9))).itertuples():
            rows.append({"date": f"{self.rng.integers(TOUR_START, 2026)}-03-15",
                         "channel": self.rng.choice(["partner_mailing", "print"]),
                         "copies": int(self.rng.integers(1, 20)), "region_code": "",
                         "school_id": "", "org_id": org.org_id, "event_id": "",
                         "audience": "organisations"})
        frame = pd.DataFrame(rows)
        frame.insert(0, "record_id", [f"GDE{i:06d}" for i in range(1, len(frame) + 1)])
        return frame

    def org_survey(self, projects: pd.DataFrame) -> dict[str, pd.DataFrame]:
        done = projects[projects["status"].isin(["delivered", "abandoned"])]
        answered = done[self.rng.random(len(done)) < 0.8]
        n = len(answered)
        delivered = answered["status"].eq("delivered").to_numpy()
        end = pd.DataFrame({
            "project_id": answered["project_id"].to_numpy(), "wave": "end",
            "delivered": np.where(delivered, "oui", "non"),
            "in_use": "", "satisfaction": np.where(
                delivered, np.clip(np.rint(self.rng.normal(4.2, 0.7, n)), 1, 5),
                np.clip(np.rint(self.rng.normal(2.8, 0.9, n)), 1, 5)).astype(int),
            "mission_impact": np.clip(np.rint(self.rng.normal(3.7, 0.9, n)), 1, 5).astype(int),
            "beneficiaries_reached": "",
            "would_apply_again": np.where(self.rng.random(n) < 0.85, "oui", "non"),
        })
        later = answered[delivered & (answered["edition"] != EDITIONS[-2]).to_numpy()]
        later = later[self.rng.random(len(later)) < 0.7]
        m = len(later)
        six = pd.DataFrame({
            "project_id": later["project_id"].to_numpy(), "wave": "six_months",
            "delivered": "oui",
            "in_use": self.pick(["oui", "partiellement", "non"], m, [0.58, 0.24, 0.18]),
            "satisfaction": np.clip(np.rint(self.rng.normal(4.0, 0.8, m)), 1, 5).astype(int),
            "mission_impact": np.clip(np.rint(self.rng.normal(3.8, 0.9, m)), 1, 5).astype(int),
            "beneficiaries_reached": self.rng.lognormal(5, 1.1, m).astype(int),
            "would_apply_again": np.where(self.rng.random(m) < 0.85, "oui", "non"),
        })
        return {"end": end, "six_months": six}


def _survey_frames(gen: Generator, students: pd.DataFrame,
                   events: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """Roster students' answers, then (national scale) the Tour audiences' pre answers."""
    frames = gen.surveys(students)
    for key, extra in gen.event_surveys(events).items():
        frames[key] = pd.concat([frames[key], extra], ignore_index=True) if key in frames else extra
    return frames


def generate(seed: int = 42, scale: str = "default") -> tuple[Generator, dict[str, pd.DataFrame],
                                                               dict[tuple[str, str], pd.DataFrame]]:
    """The demo's tables (file name -> frame) and its survey answers per (edition, wave)."""
    gen = Generator(seed, scale)
    organisations = gen.organisations()
    projects = gen.projects(organisations)
    students = gen.students(projects)
    events = gen.events()
    files = {
        "organisations.csv": organisations, "projects.csv": projects,
        "students.csv": students, "events.csv": events,
        "guide.csv": gen.guide(events, organisations),
    }
    for wave, frame in gen.org_survey(projects).items():
        files[f"org_survey_{wave}.csv"] = frame
    return gen, files, _survey_frames(gen, students, events)


def write_files(folder: Path, seed: int = 42, scale: str = "default") -> list[Path]:
    """Write the demo's input files (templates' columns) into `folder`."""
    gen, files, surveys = generate(seed, scale)
    folder.mkdir(parents=True, exist_ok=True)
    for (edition_name, wave), frame in sorted(surveys.items()):
        files[f"survey_{edition_name}_{wave}.csv"] = frame
    paths = []
    for name, frame in files.items():
        path = folder / name
        frame.to_csv(path, index=False)
        paths.append(path)
    if scale == "national":
        (folder / "schools_synthetic.csv").write_text(
            gen.schools[gen.schools["is_synthetic"] == True].to_csv(index=False),  # noqa: E712
            encoding="utf-8")
    return paths
