"""A deterministic demo community: who the people are, and how they are saved.

`plan_community` is pure: the same counts and seed always give the same people, so demos,
screenshots and benchmarks are reproducible. `seed_community` writes the plan in a handful of
bulk inserts and leaves every address that already exists alone, so it is safe to run twice.
"""

import random
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from allauth.account.models import EmailAddress

from accounts.models import User
from profiles.models import (
    CareerStage,
    Industry,
    Language,
    Profile,
    ProfileSkill,
    Skill,
    SkillKind,
    SkillLevel,
)
from profiles.services import notify_intent_changed
from profiles.signals import profiles_changed

SEED = 20261126
DEMO_DOMAIN = "demo.mentorship.test"
DEFAULT_PASSWORD = "demo-mentorship-2026"
DEFAULT_MENTORS = 36
DEFAULT_MENTEES = 120
DEFAULT_BOTH = 6
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"


class Role(StrEnum):
    ADMIN = "admin"
    MENTOR = "mentor"
    MENTEE = "mentee"
    BOTH = "both"


def demo_email(role: Role, number: int) -> str:
    """mentor01, mentee001, both01: padded so the lists sort naturally in the admin."""
    if role is Role.ADMIN:
        return ADMIN_EMAIL
    width = 3 if role is Role.MENTEE else 2
    return f"{role.value}{number:0{width}d}@{DEMO_DOMAIN}"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    role: Role
    profile: dict[str, Any]
    languages: tuple[str, ...]
    expertise: tuple[tuple[str, int], ...] = ()
    learn: tuple[tuple[str, int], ...] = ()


# --- Where people live and what they are called -------------------------------------------


@dataclass(frozen=True)
class Culture:
    """Names that belong together, and the places (zone, local languages) they live in.

    Family names are ones that do not change with gender, so no pairing reads oddly.
    """

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    places: tuple[tuple[str, tuple[str, ...]], ...]
    english: float  # share who also mentor or learn in English
    weight: int


# The tables below keep several short items per line; one per line would be hard to scan.
# fmt: off
CULTURES: tuple[Culture, ...] = (
    Culture(
        first_names=(
            "Emily", "James", "Olivia", "Daniel", "Sophie", "Michael", "Hannah", "Ryan",
            "Grace", "Thomas", "Chloe", "Nathan", "Megan", "Liam", "Aisling", "Connor",
        ),
        last_names=(
            "Smith", "Johnson", "Walker", "Thompson", "Clarke", "Murphy", "O'Brien", "Campbell",
            "Bennett", "Hughes", "Robinson", "Fraser", "Mitchell", "Parker",
        ),
        places=(
            ("America/New_York", ("en",)),
            ("America/Chicago", ("en",)),
            ("America/Denver", ("en",)),
            ("America/Los_Angeles", ("en",)),
            ("America/Toronto", ("en",)),
            ("America/Vancouver", ("en",)),
            ("Europe/London", ("en",)),
            ("Europe/Dublin", ("en",)),
            ("Australia/Sydney", ("en",)),
            ("Australia/Perth", ("en",)),
            ("Pacific/Auckland", ("en",)),
        ),
        english=1.0,
        weight=7,
    ),
    Culture(
        first_names=(
            "Mateo", "Valentina", "Santiago", "Camila", "Diego", "Lucía", "Sofía", "Alejandro",
            "Gabriela", "Javier", "Daniela", "Andrés", "Carmen", "Luis",
        ),
        last_names=(
            "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez",
            "Sánchez", "Ramírez", "Torres", "Flores", "Castillo", "Morales", "Vargas",
        ),
        places=(
            ("America/Mexico_City", ("es",)),
            ("America/Bogota", ("es",)),
            ("America/Lima", ("es",)),
            ("America/Argentina/Buenos_Aires", ("es",)),
            ("America/Santiago", ("es",)),
            ("Europe/Madrid", ("es", "ca")),
        ),
        english=0.7,
        weight=4,
    ),
    Culture(
        first_names=(
            "Ana", "João", "Beatriz", "Lucas", "Mariana", "Pedro", "Larissa", "Rafael",
            "Juliana", "Gustavo", "Fernanda", "Thiago",
        ),
        last_names=(
            "Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ferreira",
            "Ribeiro", "Carvalho", "Rocha", "Lima",
        ),
        places=(
            ("America/Sao_Paulo", ("pt",)),
            ("America/Recife", ("pt",)),
            ("Europe/Lisbon", ("pt",)),
        ),
        english=0.7,
        weight=3,
    ),
    Culture(
        first_names=(
            "Lukas", "Anna", "Felix", "Lena", "Jonas", "Marie", "Tobias", "Leonie",
            "Maximilian", "Katharina", "Florian", "Julia", "Sebastian",
        ),
        last_names=(
            "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann",
            "Wagner", "Koch", "Bauer", "Richter", "Wolf",
        ),
        places=(
            ("Europe/Berlin", ("de",)),
            ("Europe/Vienna", ("de",)),
            ("Europe/Zurich", ("de", "fr")),
        ),
        english=0.9,
        weight=3,
    ),
    Culture(
        first_names=(
            "Camille", "Louis", "Manon", "Hugo", "Chloé", "Antoine", "Léa", "Julien", "Inès",
            "Mathieu", "Élise", "Nicolas",
        ),
        last_names=(
            "Martin", "Bernard", "Dubois", "Robert", "Richard", "Petit", "Durand", "Leroy",
            "Moreau", "Laurent", "Lefèvre", "Girard",
        ),
        places=(
            ("Europe/Paris", ("fr",)),
            ("Europe/Brussels", ("fr", "nl")),
            ("America/Toronto", ("fr", "en")),
            ("Africa/Dakar", ("fr",)),
        ),
        english=0.75,
        weight=3,
    ),
    Culture(
        first_names=(
            "Giulia", "Marco", "Francesca", "Alessandro", "Chiara", "Matteo", "Sara", "Lorenzo",
            "Elena", "Davide",
        ),
        last_names=(
            "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco",
        ),
        places=(("Europe/Rome", ("it",)),),
        english=0.75,
        weight=2,
    ),
    Culture(
        first_names=("Sanne", "Daan", "Emma", "Bram", "Noor", "Ruben", "Fleur", "Thijs"),
        last_names=("de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "Meijer"),
        places=(("Europe/Amsterdam", ("nl",)),),
        english=0.95,
        weight=2,
    ),
    Culture(
        first_names=(
            "Lars", "Ingrid", "Mikkel", "Freja", "Anders", "Sofie", "Eero", "Aino", "Henrik",
            "Astrid",
        ),
        last_names=(
            "Andersson", "Johansson", "Nielsen", "Hansen", "Larsen", "Virtanen", "Korhonen",
            "Lindqvist", "Berg", "Dahl",
        ),
        places=(
            ("Europe/Stockholm", ("sv",)),
            ("Europe/Oslo", ("no",)),
            ("Europe/Copenhagen", ("da",)),
            ("Europe/Helsinki", ("fi", "sv")),
        ),
        english=0.95,
        weight=2,
    ),
    Culture(
        first_names=(
            "Łukasz", "Katarzyna", "Piotr", "Agnieszka", "Tomasz", "Magdalena", "Jakub", "Zofia",
        ),
        last_names=("Nowak", "Wójcik", "Kaczmarek", "Mazur", "Krawczyk", "Zając", "Król"),
        places=(("Europe/Warsaw", ("pl",)),),
        english=0.85,
        weight=1,
    ),
    Culture(
        first_names=("Olena", "Andriy", "Iryna", "Dmytro", "Oksana", "Taras", "Yulia", "Mykola"),
        last_names=(
            "Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk",
            "Boyko", "Lysenko",
        ),
        places=(("Europe/Kyiv", ("uk",)),),
        english=0.8,
        weight=1,
    ),
    Culture(
        first_names=("Ioana", "Andrei", "Elena", "Mihai", "Alexandra", "Radu", "Bianca"),
        last_names=("Popescu", "Ionescu", "Dumitru", "Stan", "Constantin", "Marin", "Stoica"),
        places=(("Europe/Bucharest", ("ro",)),),
        english=0.85,
        weight=1,
    ),
    Culture(
        first_names=(
            "Elif", "Mehmet", "Zeynep", "Emre", "Ayşe", "Burak", "Deniz", "Can", "Selin", "Kerem",
        ),
        last_names=("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk"),
        places=(("Europe/Istanbul", ("tr",)),),
        english=0.75,
        weight=2,
    ),
    Culture(
        first_names=(
            "Omar", "Layla", "Youssef", "Nour", "Ahmed", "Mariam", "Karim", "Salma", "Hassan",
            "Rania", "Tariq", "Yasmin",
        ),
        last_names=(
            "Haddad", "Mansour", "El-Sayed", "Khalil", "Nasser", "Farouk", "Saleh", "Hamdan",
            "Aziz", "Rahman",
        ),
        places=(
            ("Africa/Cairo", ("ar",)),
            ("Asia/Dubai", ("ar", "en")),
            ("Asia/Riyadh", ("ar",)),
            ("Africa/Casablanca", ("ar", "fr")),
            ("Asia/Amman", ("ar",)),
        ),
        english=0.8,
        weight=3,
    ),
    Culture(
        first_names=("Arash", "Shirin", "Reza", "Parisa", "Kian", "Niloufar", "Dariush", "Leila"),
        last_names=("Ahmadi", "Hosseini", "Karimi", "Moradi", "Rahimi", "Jafari", "Rostami"),
        places=(("Asia/Tehran", ("fa",)),),
        english=0.7,
        weight=1,
    ),
    Culture(
        first_names=("Noa", "Yonatan", "Tamar", "Itai", "Maya", "Eitan", "Shira", "Omer"),
        last_names=("Levi", "Cohen", "Mizrahi", "Peretz", "Friedman", "Katz", "Avraham"),
        places=(("Asia/Jerusalem", ("he",)),),
        english=0.95,
        weight=1,
    ),
    Culture(
        first_names=(
            "Chinedu", "Adaeze", "Oluwaseun", "Funmilayo", "Kwame", "Ama", "Emeka", "Ngozi",
            "Tunde", "Yetunde", "Kofi", "Abena",
        ),
        last_names=(
            "Okafor", "Adeyemi", "Mensah", "Boateng", "Okonkwo", "Balogun", "Owusu", "Adebayo",
            "Nwosu", "Asante",
        ),
        places=(("Africa/Lagos", ("en", "yo")), ("Africa/Accra", ("en",))),
        english=1.0,
        weight=3,
    ),
    Culture(
        first_names=(
            "Wanjiru", "Otieno", "Amani", "Achieng", "Baraka", "Neema", "Kamau", "Zawadi",
            "Juma", "Imani",
        ),
        last_names=(
            "Mwangi", "Odhiambo", "Njoroge", "Kariuki", "Ochieng", "Wambui", "Mutua", "Kimani",
        ),
        places=(
            ("Africa/Nairobi", ("sw", "en")),
            ("Africa/Dar_es_Salaam", ("sw",)),
            ("Africa/Kampala", ("en", "sw")),
        ),
        english=0.9,
        weight=2,
    ),
    Culture(
        first_names=("Thabo", "Lerato", "Sipho", "Naledi", "Pieter", "Anika", "Zanele", "Johan"),
        last_names=(
            "Nkosi", "Dlamini", "Mokoena", "van der Merwe", "Botha", "Naidoo", "Khumalo", "Pillay",
        ),
        places=(("Africa/Johannesburg", ("en",)),),
        english=1.0,
        weight=1,
    ),
    Culture(
        first_names=(
            "Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Aditi", "Rahul", "Deepa",
            "Karthik", "Meera", "Sanjay", "Lakshmi", "Nikhil",
        ),
        last_names=(
            "Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Krishnan", "Mehta", "Rao",
            "Banerjee", "Singh", "Menon",
        ),
        places=(
            ("Asia/Kolkata", ("hi",)),
            ("Asia/Kolkata", ("ta",)),
            ("Asia/Kolkata", ("bn", "hi")),
        ),
        english=0.95,
        weight=4,
    ),
    Culture(
        first_names=(
            "Ayesha", "Bilal", "Fatima", "Imran", "Sana", "Hamza", "Nusrat", "Farhan", "Zara",
            "Tanvir",
        ),
        last_names=(
            "Khan", "Hussain", "Chaudhry", "Qureshi", "Malik", "Islam", "Hossain", "Siddiqui",
        ),
        places=(("Asia/Karachi", ("ur",)), ("Asia/Dhaka", ("bn",))),
        english=0.9,
        weight=2,
    ),
    Culture(
        first_names=(
            "Wei", "Jing", "Hao", "Xin", "Zhiwei", "Xiaoling", "Jiahao", "Yiting", "Haoran",
            "Mei",
        ),
        last_names=("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Lin"),
        places=(
            ("Asia/Shanghai", ("zh",)),
            ("Asia/Taipei", ("zh",)),
            ("Asia/Hong_Kong", ("zh", "en")),
            ("Asia/Singapore", ("en", "zh", "ms")),
        ),
        english=0.6,
        weight=3,
    ),
    Culture(
        first_names=(
            "Yuki", "Haruto", "Sakura", "Kenji", "Aiko", "Ren", "Misaki", "Takumi", "Yui", "Daichi",
        ),
        last_names=(
            "Tanaka", "Suzuki", "Takahashi", "Watanabe", "Ito", "Yamamoto", "Nakamura",
            "Kobayashi", "Sato", "Kato",
        ),
        places=(("Asia/Tokyo", ("ja",)),),
        english=0.55,
        weight=2,
    ),
    Culture(
        first_names=("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Ji-woo", "Hyun-woo"),
        last_names=("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon"),
        places=(("Asia/Seoul", ("ko",)),),
        english=0.65,
        weight=1,
    ),
    Culture(
        first_names=("Linh", "Minh", "Trang", "Huy", "Thao", "Quang", "Mai", "Duc"),
        last_names=("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vo", "Dang"),
        places=(("Asia/Ho_Chi_Minh", ("vi",)),),
        english=0.7,
        weight=1,
    ),
    Culture(
        first_names=("Nattapong", "Siriporn", "Kittisak", "Ploy", "Thanawat", "Anong"),
        last_names=("Srisuk", "Wongsakul", "Chaiyaporn", "Rattanakorn", "Suwannarat", "Boonmee"),
        places=(("Asia/Bangkok", ("th",)),),
        english=0.6,
        weight=1,
    ),
    Culture(
        first_names=("Putri", "Budi", "Dewi", "Rizky", "Siti", "Agus", "Nurul", "Hafiz"),
        last_names=("Santoso", "Wijaya", "Pratama", "Hidayat", "Abdullah", "Ismail", "Halim"),
        places=(("Asia/Jakarta", ("id",)), ("Asia/Kuala_Lumpur", ("ms",))),
        english=0.75,
        weight=2,
    ),
    Culture(
        first_names=("Angelica", "Paolo", "Kristine", "Miguel", "Jasmine", "Carlo", "Bea"),
        last_names=("Santos", "Reyes", "Cruz", "Bautista", "Mendoza", "Dela Cruz", "Villanueva"),
        places=(("Asia/Manila", ("tl", "en")),),
        english=1.0,
        weight=2,
    ),
)

# fmt: on

# A few people speak a third language picked up abroad or at home.
SECOND_LANGUAGES = ("es", "fr", "de", "pt", "ar", "zh", "hi", "it")


# --- What people do ------------------------------------------------------------------------


@dataclass(frozen=True)
class Track:
    """A line of work: what its people are called, what they know and want to learn."""

    focus: str  # finishes "years in ...", "moving into ..."
    weight: int
    industries: tuple[Industry, ...]
    senior_titles: tuple[str, ...]
    leader_titles: tuple[str, ...]
    executive_titles: tuple[str, ...]
    junior_titles: tuple[str, ...]
    student_title: str
    core_skills: tuple[str, ...]  # what nearly every expert in this line can teach
    more_skills: tuple[str, ...]
    learn_skills: tuple[str, ...]
    target_roles: tuple[str, ...]
    ambition: str  # finishes "I want to ..."
    mentee_min_years: int = 0


# fmt: off
TRACKS: tuple[Track, ...] = (
    Track(
        focus="data science",
        weight=4,
        industries=(
            Industry.SOFTWARE, Industry.FINANCE, Industry.HEALTH, Industry.RESEARCH,
            Industry.RETAIL,
        ),
        senior_titles=("Senior Data Scientist", "Data Scientist", "Machine Learning Engineer"),
        leader_titles=("Lead Data Scientist", "Head of Data Science", "Principal ML Engineer"),
        executive_titles=("Chief Data Officer", "VP Data & AI"),
        junior_titles=("Data Analyst", "Junior Data Scientist", "Research Assistant"),
        student_title="MSc student in Data Science",
        core_skills=("Python", "Machine learning", "Statistics"),
        more_skills=(
            "Data analysis", "Experimentation and A/B testing", "Data visualisation", "SQL",
        ),
        learn_skills=(
            "Machine learning", "Statistics", "Python", "Experimentation and A/B testing",
            "Data visualisation", "SQL",
        ),
        target_roles=("Data Scientist", "Machine Learning Engineer", "Senior Data Scientist"),
        ambition="take models from notebooks into production and measure the difference they make",
    ),
    Track(
        focus="backend engineering",
        weight=4,
        industries=(
            Industry.SOFTWARE, Industry.FINANCE, Industry.TELECOM, Industry.LOGISTICS,
            Industry.RETAIL,
        ),
        senior_titles=("Senior Software Engineer", "Senior Backend Engineer", "Staff Engineer"),
        leader_titles=("Principal Engineer", "Engineering Lead", "Software Architect"),
        executive_titles=("Chief Technology Officer", "VP Engineering"),
        junior_titles=("Junior Software Engineer", "Backend Developer", "Graduate Engineer"),
        student_title="Computer Science student",
        core_skills=("Backend development", "System design"),
        more_skills=("Python", "Go", "Java", "SQL", "Code review", "Testing and quality"),
        learn_skills=(
            "System design", "Backend development", "Go", "Rust", "Code review",
            "Testing and quality", "SQL",
        ),
        target_roles=("Senior Software Engineer", "Backend Engineer", "Staff Engineer"),
        ambition="design services that hold up under real load and lead a project end to end",
    ),
    Track(
        focus="frontend development",
        weight=3,
        industries=(Industry.SOFTWARE, Industry.MEDIA, Industry.RETAIL, Industry.EDUCATION),
        senior_titles=("Senior Frontend Engineer", "Senior Web Developer"),
        leader_titles=("Frontend Architect", "Lead Web Developer"),
        executive_titles=("Head of Web Platforms",),
        junior_titles=("Junior Frontend Developer", "Web Developer", "Mobile Developer"),
        student_title="Coding bootcamp student",
        core_skills=("Frontend development", "JavaScript", "TypeScript"),
        more_skills=("UI design", "Testing and quality", "Mobile development", "Code review"),
        learn_skills=(
            "TypeScript", "Frontend development", "JavaScript", "UI design",
            "Mobile development", "Testing and quality",
        ),
        target_roles=("Frontend Engineer", "Senior Frontend Engineer", "Mobile Developer"),
        ambition="build accessible, fast interfaces and own the frontend of a product",
    ),
    Track(
        focus="cloud and platform engineering",
        weight=2,
        industries=(Industry.SOFTWARE, Industry.TELECOM, Industry.FINANCE, Industry.ENERGY),
        senior_titles=("Senior Site Reliability Engineer", "Senior Platform Engineer"),
        leader_titles=("Principal Cloud Architect", "Head of Platform Engineering"),
        executive_titles=("VP Infrastructure",),
        junior_titles=("Junior DevOps Engineer", "IT Support Specialist", "Systems Administrator"),
        student_title="Network Engineering student",
        core_skills=("Cloud architecture", "DevOps", "Kubernetes"),
        more_skills=("System design", "Go", "Security engineering", "Python"),
        learn_skills=("Kubernetes", "Cloud architecture", "DevOps", "Go", "Python"),
        target_roles=("Site Reliability Engineer", "Platform Engineer", "Cloud Engineer"),
        ambition="run production systems with confidence and automate away the toil",
    ),
    Track(
        focus="security",
        weight=2,
        industries=(Industry.SOFTWARE, Industry.FINANCE, Industry.PUBLIC, Industry.TELECOM),
        senior_titles=("Senior Security Engineer", "Application Security Engineer"),
        leader_titles=("Security Engineering Manager", "Security Architect"),
        executive_titles=("Chief Information Security Officer",),
        junior_titles=("Security Analyst", "SOC Analyst", "IT Auditor"),
        student_title="Cybersecurity student",
        core_skills=("Security engineering", "Cloud architecture"),
        more_skills=("System design", "Code review", "Stakeholder management", "Python"),
        learn_skills=("Security engineering", "Cloud architecture", "Python", "Public speaking"),
        target_roles=("Security Engineer", "Application Security Engineer", "Security Architect"),
        ambition="move from monitoring alerts to designing systems that are secure by default",
    ),
    Track(
        focus="product management",
        weight=4,
        industries=(
            Industry.SOFTWARE, Industry.FINANCE, Industry.HEALTH, Industry.RETAIL, Industry.MEDIA,
        ),
        senior_titles=("Senior Product Manager", "Product Manager"),
        leader_titles=("Group Product Manager", "Director of Product"),
        executive_titles=("VP Product", "Chief Product Officer"),
        junior_titles=("Associate Product Manager", "Product Analyst", "Business Analyst"),
        student_title="MBA student",
        core_skills=("Product management", "Product strategy", "Roadmapping"),
        more_skills=(
            "Stakeholder management", "User research", "Experimentation and A/B testing",
            "Decision making",
        ),
        learn_skills=(
            "Product management", "Roadmapping", "Stakeholder management", "Product strategy",
            "User research", "Presentation skills",
        ),
        target_roles=("Product Manager", "Senior Product Manager", "Product Owner"),
        ambition="own a product area, make trade-offs with confidence and say no gracefully",
    ),
    Track(
        focus="UX and product design",
        weight=3,
        industries=(Industry.SOFTWARE, Industry.MEDIA, Industry.RETAIL, Industry.EDUCATION),
        senior_titles=("Senior Product Designer", "Senior UX Researcher"),
        leader_titles=("Design Director", "Principal Product Designer", "UX Research Lead"),
        executive_titles=("VP Design",),
        junior_titles=("Junior UX Designer", "Graphic Designer", "UX Research Assistant"),
        student_title="Interaction Design student",
        core_skills=("UX design", "User research"),
        more_skills=("UI design", "Presentation skills", "Storytelling", "Giving feedback"),
        learn_skills=(
            "UX design", "User research", "UI design", "Storytelling", "Presentation skills",
        ),
        target_roles=("Product Designer", "UX Researcher", "Senior UX Designer"),
        ambition="design from research rather than opinion and defend my decisions clearly",
    ),
    Track(
        focus="engineering leadership",
        weight=3,
        industries=(Industry.SOFTWARE, Industry.FINANCE, Industry.TELECOM, Industry.MANUFACTURING),
        senior_titles=("Engineering Manager", "Senior Engineering Manager"),
        leader_titles=("Director of Engineering", "Head of Engineering"),
        executive_titles=("VP Engineering", "Chief Technology Officer"),
        junior_titles=("Tech Lead", "Senior Software Engineer", "Team Lead"),
        student_title="Computer Science student",
        core_skills=("People management", "Hiring and interviewing", "Giving feedback"),
        more_skills=("Delegation", "Coaching", "Strategic thinking", "Change management"),
        learn_skills=(
            "People management", "Giving feedback", "Delegation", "Leading without authority",
            "Hiring and interviewing", "Conflict resolution",
        ),
        target_roles=("Engineering Manager", "Head of Engineering", "Team Lead"),
        ambition="make the move from strong engineer to manager without losing touch with the work",
        mentee_min_years=4,
    ),
    Track(
        focus="data engineering and analytics",
        weight=2,
        industries=(
            Industry.SOFTWARE, Industry.FINANCE, Industry.LOGISTICS, Industry.ENERGY,
            Industry.TELECOM,
        ),
        senior_titles=("Senior Data Engineer", "Analytics Engineer"),
        leader_titles=("Analytics Engineering Lead", "Data Platform Architect"),
        executive_titles=("Head of Data",),
        junior_titles=("Junior Data Engineer", "BI Developer", "Reporting Analyst"),
        student_title="Information Systems student",
        core_skills=("Data engineering", "SQL"),
        more_skills=("Python", "Cloud architecture", "Data visualisation", "Data analysis"),
        learn_skills=(
            "Data engineering", "SQL", "Python", "Cloud architecture", "Data visualisation",
        ),
        target_roles=("Data Engineer", "Analytics Engineer"),
        ambition="build reliable data pipelines that the rest of the company can trust",
    ),
    Track(
        focus="marketing and communications",
        weight=3,
        industries=(Industry.MEDIA, Industry.RETAIL, Industry.SOFTWARE, Industry.NONPROFIT),
        senior_titles=("Senior Marketing Manager", "Content Strategist"),
        leader_titles=("Head of Marketing", "Brand Director", "Communications Director"),
        executive_titles=("Chief Marketing Officer",),
        junior_titles=("Marketing Coordinator", "Social Media Executive", "Content Writer"),
        student_title="Marketing student",
        core_skills=("Marketing", "Storytelling"),
        more_skills=(
            "Personal branding", "Business writing", "Experimentation and A/B testing",
            "Public speaking",
        ),
        learn_skills=(
            "Marketing", "Storytelling", "Business writing", "Data analysis", "Public speaking",
        ),
        target_roles=("Marketing Manager", "Growth Marketer", "Brand Manager"),
        ambition="run campaigns I can measure and grow into leading a small marketing team",
    ),
    Track(
        focus="sales and customer success",
        weight=2,
        industries=(
            Industry.SOFTWARE, Industry.CONSULTING, Industry.TELECOM, Industry.RETAIL,
            Industry.MANUFACTURING,
        ),
        senior_titles=("Enterprise Account Executive", "Senior Customer Success Manager"),
        leader_titles=("Head of Sales", "Enterprise Account Director"),
        executive_titles=("VP Customer Success", "Chief Revenue Officer"),
        junior_titles=(
            "Sales Development Representative", "Customer Success Associate", "Account Executive",
        ),
        student_title="Business Administration student",
        core_skills=("Sales", "Negotiation"),
        more_skills=(
            "Customer success", "Stakeholder management", "Presentation skills", "Networking",
        ),
        learn_skills=(
            "Sales", "Negotiation", "Customer success", "Presentation skills", "Networking",
        ),
        target_roles=("Account Executive", "Customer Success Manager", "Sales Manager"),
        ambition="close larger deals and build long relationships with the customers I win",
    ),
    Track(
        focus="project and operations management",
        weight=3,
        industries=(
            Industry.LOGISTICS, Industry.MANUFACTURING, Industry.HEALTH, Industry.PUBLIC,
            Industry.ENERGY, Industry.NONPROFIT,
        ),
        senior_titles=("Senior Project Manager", "Operations Manager"),
        leader_titles=("Programme Director", "Head of Operations"),
        executive_titles=("Chief Operating Officer",),
        junior_titles=("Project Coordinator", "Operations Analyst", "Junior Project Manager"),
        student_title="Management student",
        core_skills=("Project management", "Operations"),
        more_skills=(
            "Agile and Scrum", "Stakeholder management", "Change management", "Decision making",
        ),
        learn_skills=(
            "Project management", "Agile and Scrum", "Stakeholder management", "Operations",
            "Conflict resolution",
        ),
        target_roles=("Project Manager", "Operations Manager", "Programme Manager"),
        ambition="run larger programmes and keep people aligned when plans change",
    ),
    Track(
        focus="finance",
        weight=2,
        industries=(Industry.FINANCE, Industry.CONSULTING, Industry.ENERGY, Industry.PUBLIC),
        senior_titles=("Senior Financial Analyst", "Finance Manager"),
        leader_titles=("Finance Director", "Investment Director"),
        executive_titles=("Chief Financial Officer",),
        junior_titles=("Junior Financial Analyst", "Accounts Assistant", "Audit Associate"),
        student_title="Economics student",
        core_skills=("Finance fundamentals", "Business strategy"),
        more_skills=(
            "Negotiation", "Stakeholder management", "Data analysis", "Decision making",
        ),
        learn_skills=(
            "Finance fundamentals", "Data analysis", "Business strategy", "Presentation skills",
            "Negotiation",
        ),
        target_roles=("Financial Analyst", "Finance Manager", "Financial Planning Lead"),
        ambition="move from reporting the numbers to shaping the decisions behind them",
    ),
    Track(
        focus="start-ups",
        weight=2,
        industries=(Industry.SOFTWARE, Industry.HEALTH, Industry.ENERGY, Industry.RETAIL),
        senior_titles=("Co-founder", "Startup Advisor"),
        leader_titles=("Founder and CEO", "Venture Partner"),
        executive_titles=("Serial Founder", "Founder and CEO"),
        junior_titles=("Early-stage founder", "Startup Operations Associate", "Founding Engineer"),
        student_title="Entrepreneurship student",
        core_skills=("Entrepreneurship", "Fundraising"),
        more_skills=("Business strategy", "Product strategy", "Sales", "Hiring and interviewing"),
        learn_skills=(
            "Fundraising", "Entrepreneurship", "Sales", "Business strategy", "Public speaking",
        ),
        target_roles=("Founder", "Head of Operations", "Startup CEO"),
        ambition="turn an idea with early users into a company that can pay its people",
    ),
    Track(
        focus="consulting and strategy",
        weight=2,
        industries=(Industry.CONSULTING, Industry.PUBLIC, Industry.HEALTH, Industry.ENERGY),
        senior_titles=("Senior Consultant", "Engagement Manager"),
        leader_titles=("Principal Consultant", "Partner"),
        executive_titles=("Managing Partner",),
        junior_titles=("Business Analyst", "Junior Consultant", "Policy Analyst"),
        student_title="Public Policy student",
        core_skills=("Consulting skills", "Business strategy"),
        more_skills=(
            "Stakeholder management", "Presentation skills", "Business writing",
            "Strategic thinking",
        ),
        learn_skills=(
            "Consulting skills", "Presentation skills", "Business writing",
            "Stakeholder management", "Strategic thinking",
        ),
        target_roles=("Consultant", "Engagement Manager", "Strategy Manager"),
        ambition="lead client work on my own and write recommendations people act on",
    ),
    Track(
        focus="research and education",
        weight=2,
        industries=(Industry.RESEARCH, Industry.EDUCATION, Industry.HEALTH),
        senior_titles=("Research Scientist", "Senior Lecturer"),
        leader_titles=("Associate Professor", "Head of Learning"),
        executive_titles=("Director of Research",),
        junior_titles=("PhD candidate", "Postdoctoral Researcher", "Teaching Assistant"),
        student_title="PhD candidate",
        core_skills=("Statistics", "Technical writing"),
        more_skills=("Public speaking", "Coaching", "Data analysis", "Python"),
        learn_skills=("Career change", "Job search", "Python", "Data analysis", "Networking"),
        target_roles=("Research Scientist", "Data Scientist", "UX Researcher"),
        ambition="take what I learned in research into an applied role outside academia",
    ),
)

# Skills any experienced person may offer on top of their line of work.
GENERAL_EXPERTISE = (
    "Career planning", "Coaching", "Promotion readiness", "Salary negotiation",
    "Hiring and interviewing", "Cross-cultural communication", "Work-life balance",
)
# What mentees ask for besides their craft.
GENERAL_LEARN = (
    "Career planning", "Salary negotiation", "Job search", "Promotion readiness", "Networking",
    "Work-life balance", "Personal branding", "Public speaking",
)
# What experienced people who also want a mentor most often ask for.
LEADERSHIP_LEARN = (
    "People management", "Leading without authority", "Public speaking", "Strategic thinking",
    "Delegation", "Promotion readiness", "Stakeholder management", "Negotiation",
)

# Earlier careers of people changing into a new line of work, with the industry they leave.
PREVIOUS_CAREERS: tuple[tuple[str, Industry], ...] = (
    ("Secondary school teacher", Industry.EDUCATION),
    ("Staff nurse", Industry.HEALTH),
    ("Retail store manager", Industry.RETAIL),
    ("Journalist", Industry.MEDIA),
    ("Civil engineer", Industry.MANUFACTURING),
    ("Hotel operations manager", Industry.OTHER),
    ("Accountant", Industry.FINANCE),
    ("Laboratory technician", Industry.RESEARCH),
    ("Paralegal", Industry.CONSULTING),
    ("Logistics coordinator", Industry.LOGISTICS),
)

ORGANISATIONS: dict[str, tuple[str, ...]] = {
    Industry.SOFTWARE: (
        "Brightloop", "Northwind Labs", "Kestrel Cloud", "Parallax Software", "Tidewater Systems",
        "Lumen Stack",
    ),
    Industry.FINANCE: (
        "Harbourline Bank", "Meridian Capital", "Fintree", "Copperleaf Payments", "Atlas Mutual",
    ),
    Industry.HEALTH: (
        "Cedar Health", "Helix Diagnostics", "Riverside General Hospital", "Asclepia Biotech",
    ),
    Industry.EDUCATION: ("Open Pathways Academy", "Brookfield College", "LearnLoop"),
    Industry.PUBLIC: (
        "City Digital Service", "Department for Transport", "National Statistics Office",
        "Regional Health Authority",
    ),
    Industry.NONPROFIT: (
        "Code for Communities", "Clean Water Alliance", "Open Books Foundation",
        "Youth Futures Trust",
    ),
    Industry.MANUFACTURING: (
        "Ferrowerk", "Sato Precision", "Orbital Components", "Greenfield Motors",
    ),
    Industry.RETAIL: ("Basket & Co", "Marketway", "Tessellate Home", "Shopwise"),
    Industry.MEDIA: (
        "Fable Studio", "Inkwell Media", "Signal & Noise Agency", "Broadleaf Publishing",
    ),
    Industry.CONSULTING: (
        "Alder & Finch Consulting", "Quadrant Advisory", "Bridgewell Partners", "Keystone Group",
    ),
    Industry.ENERGY: ("Solace Energy", "Windward Power", "Gridline Renewables", "Terra Carbon"),
    Industry.RESEARCH: (
        "Institute for Applied Sciences", "Centre for Climate Research", "Northgate University",
    ),
    Industry.TELECOM: ("Wavelength Telecom", "Skyreach Mobile", "Fibrenet"),
    Industry.LOGISTICS: ("Cargo Compass", "Swiftline Freight", "Portside Logistics"),
    Industry.OTHER: ("Harbour Hotel Group", "Evergreen Hospitality"),
}
UNIVERSITIES = (
    "Northgate University", "Lakeside Institute of Technology", "Riverside University",
    "Coastal State University", "Highland Technical University",
)

HOBBIES = (
    "Outside work I run, slowly but often.",
    "Outside work I bake bread and coach a junior football team.",
    "I volunteer at a weekend coding club for teenagers.",
    "I play chess online and lose more than I would like.",
    "I cycle to work whatever the weather.",
    "I am learning the piano, one scale at a time.",
    "Weekends are for hiking with my dog.",
    "I paint watercolours and read a lot of science fiction.",
    "I grow tomatoes and chillies on a small balcony.",
    "I climb indoors twice a week.",
    "I am a parent of two, so I value well-run meetings.",
    "I sing in a community choir.",
)
EXPERIENCE = (
    "worked in both start-ups and large companies",
    "hired and grown teams across three countries",
    "made plenty of mistakes worth learning from",
    "moved from an individual role into leadership and back again",
    "mentored more than twenty people over the years",
    "switched industries twice",
    "been the first person in my family to work in this field",
)
MENTEE_GOALS = (
    "I want to {ambition} and be ready for {a_target} role within the next two years.",
    "My goal is to become {a_target}. Right now I most need help with {skill1} and {skill2}, "
    "and with understanding what is expected at the next level.",
    "Over the next year I want to {ambition}. A mentor who has made the same move could help "
    "me avoid the usual mistakes and reach {a_target} role sooner.",
    "I am aiming for {a_target} position. I would like honest feedback on my work, a plan for "
    "building my {skill1} skills, and advice on how to show that I am ready.",
)

# Letters that Unicode does not decompose into an ASCII base, for readable URL slugs.
SLUG_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "ß": "ss",
                              "ı": "i", "đ": "d", "Đ": "D"})
# Product and language names keep their capital letter in the middle of a sentence.
PROPER_SKILLS = {"Python", "JavaScript", "TypeScript", "Java", "Go", "Rust", "Kubernetes",
                 "DevOps", "Agile and Scrum"}

# fmt: on


def _in_sentence(skill: str) -> str:
    if skill in PROPER_SKILLS or skill[1:2].isupper():
        return skill
    return skill[0].lower() + skill[1:]


def _with_article(noun: str) -> str:
    # "UX Researcher" takes "a"; titles starting with other vowels take "an".
    return ("an " if noun[0] in "AEIOaeio" else "a ") + noun


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:]


# --- Building people -------------------------------------------------------------------------


@dataclass
class _Planner:
    """Draws every choice from one seeded generator, in a fixed order."""

    rng: random.Random
    used_names: set[str] = field(default_factory=set)

    def place(self) -> tuple[Culture, str, tuple[str, ...]]:
        culture = self.rng.choices(CULTURES, weights=[c.weight for c in CULTURES])[0]
        zone, local = self.rng.choice(culture.places)
        return culture, zone, local

    def name(self, culture: Culture) -> str:
        # Redraw a clash a few times; very large communities may repeat names, as real ones do.
        for _ in range(20):
            name = f"{self.rng.choice(culture.first_names)} {self.rng.choice(culture.last_names)}"
            if name not in self.used_names:
                break
        self.used_names.add(name)
        return name

    def languages(self, culture: Culture, local: tuple[str, ...]) -> tuple[str, ...]:
        codes = [local[0]] + [code for code in local[1:] if self.rng.random() < 0.5]
        if "en" not in codes and self.rng.random() < culture.english:
            codes.append("en")
        if self.rng.random() < 0.15:
            codes.append(self.rng.choice(SECOND_LANGUAGES))
        return tuple(dict.fromkeys(codes))[:3]

    def track(self) -> Track:
        return self.rng.choices(TRACKS, weights=[t.weight for t in TRACKS])[0]

    def linkedin(self, name: str) -> str:
        if self.rng.random() < 0.4:
            return ""
        slug = slugify(unicodedata.normalize("NFKD", name.translate(SLUG_LETTERS)))
        return f"https://www.linkedin.com/in/{slug}-{self.rng.randrange(16**6):06x}"

    def formats(self) -> dict[str, bool]:
        flags = {
            "meets_by_video": self.rng.random() < 0.9,
            "meets_by_phone": self.rng.random() < 0.3,
            "meets_in_person": self.rng.random() < 0.2,
            "meets_by_chat": self.rng.random() < 0.35,
        }
        if not any(flags.values()):
            flags["meets_by_video"] = True
        return flags

    def organisation(self, industry: str) -> str:
        return self.rng.choice(ORGANISATIONS[industry])

    def expertise(self, track: Track, count: int) -> tuple[tuple[str, int], ...]:
        core = list(track.core_skills[:count])
        # Mostly the craft itself; a general career skill now and then.
        more = self.rng.sample(list(track.more_skills), min(count - len(core), 2))
        extras = dict.fromkeys(track.more_skills + GENERAL_EXPERTISE)
        pool = [s for s in extras if s not in core and s not in more]
        more += self.rng.sample(pool, count - len(core) - len(more))
        levels = [SkillLevel.EXPERT if self.rng.random() < 0.75 else SkillLevel.SOLID for _ in core]
        levels += [self.rng.choice((SkillLevel.SOLID, SkillLevel.EXPERT)) for _ in more]
        return tuple(zip(core + more, (int(level) for level in levels), strict=True))

    def learn(
        self, pool: Sequence[str], count: int, *, also: str = "", avoid: Sequence[str] = ()
    ) -> tuple[tuple[str, int], ...]:
        names = self.rng.sample(list(pool), min(count, len(pool)))
        if also and also not in names:
            names[-1] = also
        elif self.rng.random() < 0.35:
            general = [s for s in GENERAL_LEARN if s not in names and s not in avoid]
            names[-1] = self.rng.choice(general)
        return tuple((name, self.rng.randint(1, 3)) for name in names)

    def common(self, name: str, zone: str) -> dict[str, Any]:
        return {
            "display_name": name,
            "time_zone": zone,
            "hours_per_month": self.rng.randint(2, 12),
            "linkedin_url": self.linkedin(name),
            **self.formats(),
        }

    def mentor(self, email: str) -> DemoPerson:
        culture, zone, local = self.place()
        name = self.name(culture)
        languages = self.languages(culture, local)
        track = self.track()
        years = round(self.rng.triangular(6, 30, 12))
        stage = self._senior_stage(years)
        title = self._senior_title(track, stage)
        industry = self.rng.choice(track.industries)
        org = self.organisation(industry)
        expertise = self.expertise(track, self.rng.randint(3, 6))
        skills = [_in_sentence(skill) for skill, _ in expertise]
        headline = self.rng.choice(
            (
                f"{title} at {org}",
                f"{title} · {years} years in {track.focus}",
                f"{title} at {org} · happy to talk {skills[0]} and {skills[1]}",
            )
        )
        bio = (
            f"{years} years in {track.focus}, currently {title} at {org}. "
            f"Along the way I have {self.rng.choice(EXPERIENCE)}. "
            f"I am glad to help with {skills[0]}, {skills[1]} and {skills[2]}. "
            f"{self.rng.choice(HOBBIES)}"
        )
        profile = {
            **self.common(name, zone),
            "wants_to_mentor": True,
            "wants_mentoring": False,
            "mentor_capacity": self.rng.randint(1, 4),
            # A few mentors have paused, as real ones do between busy seasons.
            "is_accepting_requests": self.rng.random() >= 0.12,
            "headline": headline,
            "bio": bio,
            "job_title": title,
            "organisation": org,
            "industry": industry,
            "years_experience": years,
            "career_stage": stage,
        }
        return DemoPerson(email, Role.MENTOR, profile, languages, expertise=expertise)

    def mentee(self, email: str) -> DemoPerson:
        culture, zone, local = self.place()
        name = self.name(culture)
        languages = self.languages(culture, local)
        track = self.track()
        target = self.rng.choice(track.target_roles)
        industry = self.rng.choice(track.industries)
        also = ""
        path = self.rng.random()
        if path < 0.1:
            # Changing careers: years count in the old field, the goal is the new one.
            title, industry = self.rng.choice(PREVIOUS_CAREERS)
            years = self.rng.randint(3, 8)
            stage = CareerStage.CHANGER
            org = self.organisation(industry)
            headline = f"{title} moving into {track.focus}"
            also = "Career change"
            goals = (
                f"After {years} years as {_with_article(_lower_first(title))}, I want to move "
                f"into {track.focus} and become {_with_article(target)}. I need a realistic "
                "plan, help with the first skills to learn, and advice on telling my story to "
                "hiring managers."
            )
        elif path < 0.15:
            years = self.rng.randint(3, 8)
            stage = CareerStage.RETURNER
            title = "Returning after a career break"
            org = ""
            brk = self.rng.randint(2, 6)
            headline = f"Returning to {track.focus} after a {brk}-year break"
            also = "Returning to work"
            goals = (
                f"I am coming back to {track.focus} after a {brk}-year career break. I want to "
                "refresh my skills, rebuild my confidence and find "
                f"{_with_article(target)} role that fits around family life."
            )
        else:
            years = max(
                track.mentee_min_years,
                self.rng.choices(range(9), weights=(3, 4, 4, 4, 3, 3, 2, 2, 2))[0],
            )
            if years == 0:
                stage, title, org = (
                    CareerStage.STUDENT,
                    track.student_title,
                    self.rng.choice(UNIVERSITIES),
                )
            else:
                stage = CareerStage.EARLY if years <= 3 else CareerStage.MID
                title = self.rng.choice(track.junior_titles)
                org = self.organisation(industry)
            headline = self.rng.choice(
                (f"{title}, aiming for {target} roles", f"{title} · working towards {target}")
            )
            goals = ""
        learn = self.learn(track.learn_skills, self.rng.randint(2, 4), also=also)
        skills = [_in_sentence(skill) for skill, _ in learn]
        if not goals:
            goals = self.rng.choice(MENTEE_GOALS).format(
                ambition=track.ambition,
                a_target=_with_article(target),
                skill1=skills[0],
                skill2=skills[1],
            )
        where = f" at {org}" if org else ""
        bio = f"{title}{where}. I am working towards {_with_article(target)} role. " + (
            self.rng.choice(HOBBIES)
        )
        profile = {
            **self.common(name, zone),
            "wants_to_mentor": False,
            "wants_mentoring": True,
            "mentor_capacity": 0,
            "headline": headline,
            "bio": bio,
            "job_title": title,
            "organisation": org,
            "industry": industry,
            "years_experience": years,
            "career_stage": stage,
            "career_goals": goals,
            "target_role": target,
        }
        return DemoPerson(email, Role.MENTEE, profile, languages, learn=learn)

    def both(self, email: str) -> DemoPerson:
        """Experienced enough to guide juniors, and looking for a mentor for the next step."""
        culture, zone, local = self.place()
        name = self.name(culture)
        languages = self.languages(culture, local)
        track = self.track()
        years = self.rng.randint(5, 14)
        stage = CareerStage.MID if years < 8 else CareerStage.SENIOR
        title = self.rng.choice(track.senior_titles)
        target = self.rng.choice(track.leader_titles)
        industry = self.rng.choice(track.industries)
        org = self.organisation(industry)
        expertise = self.expertise(track, self.rng.randint(3, 4))
        taught = [skill for skill, _ in expertise]
        pool = [s for s in LEADERSHIP_LEARN if s not in taught]
        learn = self.learn(pool, self.rng.randint(2, 3), avoid=taught)
        strong = _in_sentence(expertise[0][0])
        wanted = [_in_sentence(skill) for skill, _ in learn]
        profile = {
            **self.common(name, zone),
            "wants_to_mentor": True,
            "wants_mentoring": True,
            "mentor_capacity": self.rng.randint(1, 2),
            "headline": f"{title} at {org} · mentoring in {track.focus}, learning to lead",
            "bio": (
                f"{years} years in {track.focus}, now {title} at {org}. I enjoy helping people "
                f"who are where I was a few years ago. {self.rng.choice(HOBBIES)}"
            ),
            "job_title": title,
            "organisation": org,
            "industry": industry,
            "years_experience": years,
            "career_stage": stage,
            "career_goals": (
                f"I want to grow from {title} into {_with_article(target)} role. I am strong in "
                f"{strong} but need to get better at {wanted[0]} and {wanted[1]}."
            ),
            "target_role": target,
        }
        return DemoPerson(email, Role.BOTH, profile, languages, expertise=expertise, learn=learn)

    def _senior_stage(self, years: int) -> CareerStage:
        if years < 8:
            return CareerStage.MID
        if years < 15:
            return CareerStage.SENIOR
        if years < 20:
            return self.rng.choice((CareerStage.SENIOR, CareerStage.LEAD))
        return CareerStage.EXECUTIVE if self.rng.random() < 0.35 else CareerStage.LEAD

    def _senior_title(self, track: Track, stage: CareerStage) -> str:
        if stage == CareerStage.EXECUTIVE:
            return self.rng.choice(track.executive_titles)
        if stage == CareerStage.LEAD:
            return self.rng.choice(track.leader_titles)
        return self.rng.choice(track.senior_titles)


def _admin() -> DemoPerson:
    # The admin must look onboarded (the site sends anyone else to onboarding), and an
    # onboarded profile needs an intent, so they "mentor" with no places and no requests.
    profile = {
        "display_name": "Morgan Ellis",
        "headline": "Programme lead for the demo mentoring community",
        "bio": "I run the programme: cohorts, matching and making sure nobody falls through.",
        "job_title": "Mentoring programme lead",
        "organisation": "Demo Mentorship Programme",
        "industry": Industry.NONPROFIT,
        "years_experience": 12,
        "career_stage": CareerStage.LEAD,
        "time_zone": "Europe/London",
        "hours_per_month": 4,
        "meets_by_video": True,
        "meets_by_chat": True,
        "wants_to_mentor": True,
        "wants_mentoring": False,
        "mentor_capacity": 0,
        "is_accepting_requests": False,
    }
    expertise = (("Coaching", 3), ("Career planning", 3), ("Giving feedback", 2))
    return DemoPerson(ADMIN_EMAIL, Role.ADMIN, profile, ("en", "es"), expertise=expertise)


def plan_community(*, mentors: int, mentees: int, both: int, seed: int = SEED) -> list[DemoPerson]:
    """The people of the demo, in a fixed order. Pure: it reads and writes no database."""
    planner = _Planner(rng=random.Random(seed))
    people = [_admin()]
    planner.used_names.add(people[0].profile["display_name"])
    people += [planner.mentor(demo_email(Role.MENTOR, n)) for n in range(1, mentors + 1)]
    people += [planner.both(demo_email(Role.BOTH, n)) for n in range(1, both + 1)]
    people += [planner.mentee(demo_email(Role.MENTEE, n)) for n in range(1, mentees + 1)]
    return people


# --- Saving ------------------------------------------------------------------------------------


@dataclass
class SeedResult:
    created: Counter[Role] = field(default_factory=Counter)
    existing: Counter[Role] = field(default_factory=Counter)


class VocabularyMissing(Exception):
    """A skill or language the demo uses is not in the database (migrations not run?)."""


def _vocabulary(people: Sequence[DemoPerson]) -> dict[str, Skill]:
    wanted = {name for p in people for name, _ in p.expertise + p.learn}
    # Admins may have recased a skill; the vocabulary is unique whatever the case.
    by_name = {skill.name.lower(): skill for skill in Skill.objects.all()}
    missing = sorted(name for name in wanted if name.lower() not in by_name)
    if missing:
        raise VocabularyMissing(f"Skills missing from the vocabulary: {', '.join(missing)}.")
    codes = {code for p in people for code in p.languages}
    absent = codes - set(Language.objects.filter(code__in=codes).values_list("code", flat=True))
    if absent:
        raise VocabularyMissing(f"Languages missing: {', '.join(sorted(absent))}.")
    return {name: by_name[name.lower()] for name in wanted}


@transaction.atomic
def seed_community(*, people: Sequence[DemoPerson], password_hash: str) -> SeedResult:
    """Create the planned people who are not there yet; never touch anyone who is.

    Every account gets the same, already hashed, password: hashing once keeps a run of
    hundreds of accounts to seconds whatever the configured hasher costs.
    """
    result = SeedResult()
    emails = [p.email for p in people]
    taken = set(
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("email_lower", flat=True)
    )
    new = [p for p in people if p.email not in taken]
    for person in people:
        bucket = result.existing if person.email in taken else result.created
        bucket[person.role] += 1
    if not new:
        return result
    skills = _vocabulary(new)
    now = timezone.now()

    User.objects.bulk_create(
        User(
            email=p.email,
            password=password_hash,
            is_staff=p.role is Role.ADMIN,
            is_superuser=p.role is Role.ADMIN,
            date_joined=now,
        )
        for p in new
    )
    # Not every database returns primary keys from a bulk insert, so read them back.
    user_ids = dict(
        User.objects.filter(email__in=[p.email for p in new]).values_list("email", "pk")
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user_id=user_ids[p.email], email=p.email, verified=True, primary=True)
        for p in new
    )
    Profile.objects.bulk_create(
        Profile(
            user_id=user_ids[p.email],
            essentials_done_at=now,
            onboarded_at=now,
            created_at=now,
            **p.profile,
        )
        for p in new
    )
    profile_ids = dict(
        Profile.objects.filter(user_id__in=user_ids.values()).values_list("user_id", "pk")
    )
    ProfileLanguage = Profile.languages.through
    ProfileLanguage.objects.bulk_create(
        ProfileLanguage(profile_id=profile_ids[user_ids[p.email]], language_id=code)
        for p in new
        for code in p.languages
    )
    ProfileSkill.objects.bulk_create(
        ProfileSkill(
            profile_id=profile_ids[user_ids[p.email]],
            skill=skills[name],
            kind=kind,
            level=level,
        )
        for p in new
        for kind, entries in ((SkillKind.EXPERTISE, p.expertise), (SkillKind.LEARN, p.learn))
        for name, level in entries
    )
    # Bulk inserts skip the services, so tell the apps above us (matching enrolls
    # everyone in the community cohort) as onboarding would have.
    for profile in Profile.objects.filter(pk__in=profile_ids.values()).select_related("user"):
        notify_intent_changed(profile)
    profiles_changed.send(sender=Profile)
    return result
