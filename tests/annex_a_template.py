"""A small hand-made Annex A workbook in Ofsted's current template (ILACS data template, lists 1-11), for tests.

The headings are typed here from the template (as the Data to Insight / Social Finance tools list them:
liia-tools ``liiatools/annex_a_pipeline/spec/Annex_A_schema.yml``), not taken from the package, so that a test
built on this workbook checks the package against the template rather than against itself. The identifiers are
made up (``MC1000nn``); nothing here is real data.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl

CHILD = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]

#: Every list's headings in the current template, in its order.
TEMPLATE_HEADINGS: dict[int, list[str]] = {
    1: [*CHILD, "Date of Contact", "Contact Source"],
    2: [
        *CHILD,
        "Assessment start date",
        "Assessment completion date",
        "Organisation completing assessment",
    ],
    3: [
        *CHILD,
        "Date of referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        "Allocated Team",
        "Allocated Worker",
    ],
    4: [
        *CHILD,
        "Does the Child have a Disability",
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        "Allocated Team",
        "Allocated Worker",
    ],
    5: [
        *CHILD,
        "Does the Child have a Disability",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months",
        "Allocated Team",
        "Allocated Worker",
    ],
    6: [
        *CHILD,
        "Does the Child have a Disability",
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
        "Allocated Team",
        "Allocated Worker",
    ],
    7: [
        *CHILD,
        "Does the Child have a Disability",
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "Number of Previous Child Protection Plans",
        "Allocated Team",
        "Allocated Worker",
    ],
    8: [
        *CHILD,
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "Does the Child have a Disability",
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
        "Start date of current legal status",
        "Child's Legal Status",
        "Date of Latest Statutory Review",
        "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
        "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Placement Provider",
        "Placement postcode",
        "URN of Placement",
        "Placement Location",
        "LA of Placement",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        "Allocated Team",
        "Allocated Worker",
    ],
    9: [
        *CHILD,
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        "Does the Child have a Disability",
        "Allocated Team",
        "Allocated Worker",
        "Allocated Personal Advisor",
        "Eligibility Category",
        "Latest Pathway Plan Review Date",
        "LA in Touch",
        "Latest Date of Contact",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ],
    10: [
        "Child Unique ID",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Does the Child have a Disability",
        "Date the Child Entered Care",
        "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
        "Date of Adoption Order",
        "Date of Decision that Child Should No Longer be Placed for Adoption",
        "Reason Why Child No Longer Placed for Adoption",
        "Date the child was placed for fostering in FFA or concurrent planning placement",
    ],
    11: [
        "Individual adopter identifier",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Disability",
        "Is the (prospective) adopter fostering for adoption?",
        "Date enquiry received",
        "Date Stage 1 started",
        "Date Stage 1 ended",
        "Date Stage 2 started",
        "Date Stage 2 ended",
        "Date application submitted",
        "Date application approved",
        "Date adopter matched with child(ren)",
        "Date child/children placed with adopter(s)",
        "No. of children placed",
        "Date of Adoption Order",
        "Date of leaving adoption process",
        "Reason for leaving adoption process",
    ],
}


def _d(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y")


def _child(n: int, gender: str = "a) Male", born: str = "14/05/2010", age: int = 5) -> dict[str, object]:
    return {
        "Child Unique ID": f"MC1000{n:02d}",
        "Gender": gender,
        "Ethnicity": "a) WBRI",
        "Date of Birth": _d(born),
        "Age of Child (Years)": age,
    }


#: The rows of each list, by heading (cells not given are blank). Dates as Excel date cells.
TEMPLATE_ROWS: dict[int, list[dict[str, object]]] = {
    1: [
        {**_child(1), "Date of Contact": _d("01/04/2015"), "Contact Source": "q) 6: Police"},
        {
            **_child(2, "b) Female", "30/07/2012", 2),
            "Date of Contact": _d("02/04/2015"),
            "Contact Source": "e) 2A",
        },
    ],
    2: [
        {
            **_child(3),
            "Assessment start date": _d("10/04/2015"),
            "Assessment completion date": _d("20/05/2015"),
            "Organisation completing assessment": "School",
        }
    ],
    3: [
        {
            **_child(1),
            "Date of referral": _d("01/04/2015"),
            "Referral Source": "q) 6: Police",
            "Referral NFA?": "b) No",
            "Number of Referrals in Last 12 Months": 1,
            "Allocated Team": "Team A",
            "Allocated Worker": "A Worker",
        }
    ],
    4: [
        {
            **_child(1),
            "Does the Child have a Disability": "b) No",
            "Continuous Assessment Start Date": _d("02/04/2015"),
            "Child Seen During Continuous Assessment": "a) Yes",
            "Continuous Assessment Date of Authorisation": _d("20/05/2015"),
            "Was the child assessed as requiring LA children's social care support?": "a) Yes",
            "Allocated Team": "Team A",
            "Allocated Worker": "A Worker",
        }
    ],
    5: [
        {
            **_child(1),
            "Does the Child have a Disability": "b) No",
            "Strategy discussion initiating Section 47 Enquiry Start Date": _d("05/04/2015"),
            "Was an Initial Child Protection Conference deemed unnecessary?": "b) No",
            "Date of Initial Child Protection Conference": _d("20/04/2015"),
            "Did the Initial Child Protection Conference Result in a Child Protection Plan": "a) Yes",
            "Number of Section 47 Enquiries in the last 12 months": 1,
            "Number of ICPCs in the last 12 months": 1,
            "Allocated Team": "Team A",
            "Allocated Worker": "A Worker",
        }
    ],
    6: [
        {
            **_child(1),
            "Does the Child have a Disability": "b) No",
            "CIN Start Date": _d("01/04/2015"),
            "Primary Need Code": "N1 - Abuse or neglect",
            "Date Child Was Last Seen": _d("01/07/2015"),
            "Case Status": "b) Child Protection plan",
            "Allocated Team": "Team A",
            "Allocated Worker": "A Worker",
        },
        {
            **_child(4, "b) Female", "01/01/2010", 5),
            "Does the Child have a Disability": "b) No",
            "CIN Start Date": _d("01/03/2015"),
            "Primary Need Code": "N4 - Family in acute stress",
            "Date Child Was Last Seen": _d("20/06/2015"),
            "CIN Closure Date": _d("30/06/2015"),
            "Reason for Closure": "RC7 - Services ceased for any other reason, including child no longer in need",
            "Case Status": "e) Closed episode",
        },
    ],
    7: [
        {
            **_child(1),
            "Does the Child have a Disability": "b) No",
            "Child Protection Plan Start Date": _d("20/04/2015"),
            "Initial Category of Abuse": "a) Neglect",
            "Latest Category of Abuse": "a) Neglect",
            "Date of the Last Statutory Visit": _d("06/07/2015"),
            "Was the Child Seen Alone?": "a) Yes",
            "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)": "b) No",
            "Number of Previous Child Protection Plans": 0,
        },
        {
            **_child(5, "b) Female", "01/02/2008", 7),
            "Does the Child have a Disability": "b) No",
            "Child Protection Plan Start Date": _d("10/10/2014"),
            "Initial Category of Abuse": "d) Emotional abuse",
            "Latest Category of Abuse": "b) Physical abuse",
            "Date of the Last Statutory Visit": _d("01/07/2015"),
            "Was the Child Seen Alone?": "b) No",
            "Date of latest review conference": _d("10/01/2015"),
            "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)": "b) No",
            "Number of Previous Child Protection Plans": 2,
        },
    ],
    8: [
        {
            **_child(6, born="05/03/2005", age=10),
            "Date Started to be Looked After": _d("01/01/2014"),
            "Start date of current legal status": _d("01/01/2014"),
            "Child's Legal Status": "C2: FCO",
            "Date of Latest Statutory Review": _d("15/06/2015"),
            "Date of Last Social Work Visit": _d("01/07/2015"),
            "Date of Last IRO Visit / Contact to the Child": _d("15/06/2015"),
            "Number of Placements in the Last 12 months": 1,
            "Start Date of Most Recent Placement": _d("02/06/2014"),
            "Placement Type": "f) U6: Foster placement - not FFA",
            "Placement Provider": "b) PR1: Own provision",
            "Placement postcode": "ME4 6AB",
            "Placement Location": "a) In",
        },
        {
            **_child(7, "b) Female", "01/09/2009", 5),
            "Date Started to be Looked After": _d("01/03/2015"),
            "Child's Legal Status": "V2: Single period under S20",
            "Date of Last Social Work Visit": _d("28/05/2015"),
            "Date Ceased to be Looked After": _d("01/06/2015"),
            "Reason Ceased to be Looked After": "e) E4A: Returned home to live with parents or relatives - part of planning",
            "Start Date of Most Recent Placement": _d("01/03/2015"),
            "Placement Type": "k) P1: Placed with parents",
        },
    ],
    9: [
        {
            **_child(8, "b) Female", "15/05/1996", 19),
            "Eligibility Category": "b) Former relevant child",
            "Latest Pathway Plan Review Date": _d("01/04/2015"),
            "LA in Touch": "a) Yes",
            "Latest Date of Contact": _d("15/05/2015"),
            "Type of Accommodation": "D: Semi-independent, transitional accommodation and self-contained accommodation",
            "Suitability of Accommodation": "a) Suitable",
            "Activity Status": "F2: Full time in education other than higher",
        },
        {**_child(9, born="01/01/1995", age=20), "LA in Touch": "b) No"},
        {**_child(10, born="01/03/1994", age=21), "LA in Touch": "c) Died"},
    ],
    10: [
        {
            **_child(11, born="01/06/2012", age=3),
            "Date the Child Entered Care": _d("01/07/2013"),
            "Date of Decision that Child Should be Placed for Adoption": _d("01/10/2013"),
            "Date of Placement Order": _d("01/12/2013"),
            "Date of Matching Child and Prospective Adopters": _d("01/03/2014"),
            "Date Placed for Adoption": _d("01/04/2014"),
            "Date of Adoption Order": _d("01/10/2014"),
        }
    ],
    11: [
        {
            "Individual adopter identifier": "ADOPT77",
            "Gender": "b) Female",
            "Ethnicity": "a) WBRI",
            "Disability": "b) No",
            "Is the (prospective) adopter fostering for adoption?": "b) No",
            "Date enquiry received": _d("01/01/2014"),
            "Date application approved": _d("01/09/2014"),
            "Date adopter matched with child(ren)": _d("01/03/2015"),
            "Date child/children placed with adopter(s)": _d("01/04/2015"),
            "No. of children placed": 1,
        }
    ],
}

EXTRACT_DATE = datetime(2015, 7, 10)


def write_current_template_workbook(
    path: Path,
    *,
    headings: dict[int, list[str]] | None = None,
    rows: dict[int, list[dict[str, object]]] | None = None,
) -> Path:
    """``annex_a.xlsx`` in the current template: a cover with the extract date, then ``List 1`` ... ``List 11``.

    ``headings`` and ``rows`` replace the template's headings or rows of the lists they name (a test's faults).
    """
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover.append(["Annex A (current template)"])
    cover.append(["Date of extract", EXTRACT_DATE])
    for number in range(1, 12):
        sheet = workbook.create_sheet(f"List {number}")
        names = (headings or {}).get(number, TEMPLATE_HEADINGS[number])
        sheet.append(names)
        for row in (rows or {}).get(number, TEMPLATE_ROWS[number]):
            by_template = dict(zip(TEMPLATE_HEADINGS[number], names, strict=False))
            written = {by_template.get(k, k): v for k, v in row.items()}
            sheet.append([written.get(name) for name in names])
    workbook.save(path)
    return path
