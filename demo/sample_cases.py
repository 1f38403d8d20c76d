"""Fictional sample cases for the demo, in every state of the workflow (see seed_demo).

This module is the data: who registered each case, what it says, and the steps it goes
through. ``demo.seeding`` makes them the way staff make one: registered, assigned and moved on
through ``cases.services`` (so each has its receipt code, permissions and audit trail), never
by writing a state or a model. Reports received "days ago" are registered with the service's
``received_at``, as a phone call on Friday registered on Monday would be; that is what makes
some acknowledgements overdue. The content is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from cases.choices import (
    Affiliation,
    Behaviour,
    Channel,
    Committee,
    Kind,
    Outcome,
    PartyRole,
    Population,
    ReceivedVia,
    ReporterRole,
)
from cases.models import CaseParty
from cases.services import CaseInput, PartyInput

COORDINATOR = "coordinator"
COMMITTEE_MEMBER = {Committee.MISCONDUCT: "committee-mcc", Committee.UU_INTEGRITY: "committee-uu"}

# Who takes each step: the case's advisor, the committee it is referred to, or the coordinator.
ADVISOR_STEPS = {"acknowledge", "start", "consent", "refer", "close", "withdraw", "note",
                 "message", "attach"}
COMMITTEE_STEPS = {"accept", "return", "decide"}
COORDINATOR_STEPS = {"destroy"}


@dataclass(frozen=True)
class Step:
    verb: str  # one of the *_STEPS above
    text: str = ""  # a note, message, reason, decision, or a file's content
    choice: str = ""  # a committee, an outcome, or a file name


@dataclass(frozen=True)
class DemoCase:
    received_ago: timedelta
    data: CaseInput
    advisor: str | None  # demo username; None: left unassigned, for the coordinator
    registered_by: str  # the advisor who took the call, or the coordinator (who assigns)
    steps: tuple[Step, ...] = ()


ACKNOWLEDGE = Step("acknowledge")
START = Step("start")
CONSENT_IN_WRITING = Step("consent")
ACCEPT = Step("accept")


def _complained_about(name: str, affiliation: str, description: str) -> PartyInput:
    return PartyInput(role=PartyRole.COMPLAINED_ABOUT, name=name,
                      affiliation=affiliation, description=description)


DEMO_CASES: tuple[DemoCase, ...] = (
    # --- received: two overdue (one unassigned), two fresh ------------------------------------
    DemoCase(
        timedelta(days=10, hours=2),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.ANONYMOUS, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.BYSTANDER, reporter_population=Population.STAFF,
            behaviours=[Behaviour.VERBAL, Behaviour.BULLYING],
            accused_affiliation=Affiliation.UMC_STAFF,
            narrative=(
                "During the morning handover a nurse is repeatedly called by a nickname she "
                "clearly does not like. Others laugh along; nobody says anything. I have seen "
                "it on three shifts this month. I would rather not give my name, but I want "
                "the office to know this is happening."),
            occurred="Morning handovers on the ward, over the past month.",
            desired_outcome="That someone looks at how the team treats each other.",
        ),
        advisor=None, registered_by=COORDINATOR,
    ),
    DemoCase(
        timedelta(days=9, hours=5),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.NAMED, received_via=ReceivedVia.IN_PERSON,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STUDENT,
            behaviours=[Behaviour.ONLINE, Behaviour.INTIMIDATION],
            accused_affiliation=Affiliation.UNKNOWN,
            narrative=(
                "Since our group project ended I receive messages from an account I do not "
                "recognise, commenting on my appearance and saying that 'everyone knows' about "
                "me. I blocked it twice; each time a new account appears. I think it is "
                "someone from my year, but I am not sure. I have started to dread lectures."),
            occurred="Direct messages on social media, since the start of the month.",
            desired_outcome="To know my options, and whether the online-safety line can help.",
            reporter_name="Robin Example", reporter_email="robin@example.org",
        ),
        advisor="advisor", registered_by="advisor",
    ),
    DemoCase(
        timedelta(hours=5),
        CaseInput(
            kind=Kind.CONSULTATION, channel=Channel.NAMED, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.CONFIDANT, reporter_population=Population.STAFF,
            behaviours=[Behaviour.SEXUAL_HARASSMENT],
            narrative=(
                "A colleague told me in confidence that a senior colleague comments on her "
                "body and once stood far too close to her in the lift. She does not want to "
                "report anything yet. I would like to know how to support her without going "
                "behind her back."),
            desired_outcome="Advice on supporting a colleague.",
            reporter_name="Kim Example", reporter_phone="+31 6 0000 0003",
        ),
        advisor=None, registered_by=COORDINATOR,
    ),
    DemoCase(
        timedelta(days=1, hours=3),
        CaseInput(
            kind=Kind.CONSULTATION, channel=Channel.ANONYMOUS, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.ADDRESSED, reporter_population=Population.STAFF,
            behaviours=[Behaviour.VERBAL],
            narrative=(
                "My manager told me that two people in my team were hurt by jokes I made in "
                "the team chat. I did not mean them that way. I would like to understand what "
                "I can do now without making it worse."),
            desired_outcome="A conversation about how to put this right.",
        ),
        advisor="advisor2", registered_by="advisor2",
    ),
    # --- acknowledged: one on time, one late ----------------------------------------------
    DemoCase(
        timedelta(days=3, hours=1),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.NAMED, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STAFF,
            behaviours=[Behaviour.EXCLUSION, Behaviour.NON_VERBAL],
            accused_affiliation=Affiliation.UMC_STAFF,
            narrative=(
                "Since I raised a concern about the rota in a team meeting, my team leader no "
                "longer greets me, leaves me out of the weekly planning e-mails and gives my "
                "shifts to others without telling me. Colleagues have noticed and asked me "
                "what happened."),
            occurred="Outpatient clinic, the last six weeks.",
            desired_outcome="To be treated as part of the team again.",
            reporter_name="Sam Example", reporter_email="sam@example.org",
            parties=[_complained_about("Lee Example", Affiliation.UMC_STAFF,
                                       "Team leader, outpatient clinic.")],
        ),
        advisor="advisor", registered_by="advisor",
        steps=(
            ACKNOWLEDGE,
            Step("message", "Thank you for calling us. Your report has been received. As "
                            "agreed, I will call you this week to talk about the next steps."),
        ),
    ),
    DemoCase(
        timedelta(days=12, hours=4),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.ANONYMOUS, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.BYSTANDER, reporter_population=Population.STUDENT,
            behaviours=[Behaviour.DISCRIMINATION, Behaviour.VERBAL],
            accused_affiliation=Affiliation.UU_AFFILIATED,
            narrative=(
                "In a tutorial the tutor asked a student who wears a headscarf, in front of "
                "the whole group, whether she was 'allowed' to examine male patients. She "
                "laughed it off but was visibly upset afterwards. I was there and feel I should "
                "have said something."),
            occurred="Tutorial group, second year, last month.",
        ),
        advisor="advisor2", registered_by=COORDINATOR,
        steps=(
            ACKNOWLEDGE,
            Step("note", "Acknowledged late: the call was logged during the holiday rota and "
                         "not picked up. Raised in the team meeting so it does not recur."),
        ),
    ),
    # --- in progress: a consultation, an anonymous report, a file returned by a committee ------
    DemoCase(
        timedelta(days=5, hours=6),
        CaseInput(
            kind=Kind.CONSULTATION, channel=Channel.NAMED, received_via=ReceivedVia.IN_PERSON,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STUDENT,
            behaviours=[Behaviour.VERBAL, Behaviour.DISCRIMINATION],
            accused_affiliation=Affiliation.UMC_STAFF,
            narrative=(
                "During my clinical rotation a supervisor regularly comments on my accent and "
                "corrects my pronunciation in front of patients. I want to finish the rotation "
                "well and do not want a formal procedure. I would like help preparing a "
                "conversation with my supervisor."),
            desired_outcome="Help preparing a conversation; no formal steps.",
            reporter_name="Noa Example", reporter_email="noa@example.org",
        ),
        advisor="advisor", registered_by="advisor",
        steps=(
            ACKNOWLEDGE, START,
            Step("note", "First conversation held. Noa wants to talk to the supervisor "
                         "first; we practised how to open the conversation. Follow-up in two "
                         "weeks."),
            Step("message", "Thank you for our conversation today. As agreed, we will speak "
                            "again in two weeks; you can reach me here before then."),
        ),
    ),
    DemoCase(
        timedelta(days=4, hours=2),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.ANONYMOUS, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.BYSTANDER, reporter_population=Population.STAFF,
            behaviours=[Behaviour.PHYSICAL, Behaviour.AGGRESSION],
            accused_affiliation=Affiliation.EXTERNAL,
            narrative=(
                "A visitor at the emergency department shouted at a junior doctor and pushed "
                "her against the counter when he had to wait. Security came quickly and she "
                "finished her shift. I am worried that nobody checked on her afterwards."),
            occurred="Emergency department, evening shift.",
        ),
        advisor="advisor", registered_by="advisor",
        steps=(
            ACKNOWLEDGE, START,
            Step("note", "The person complained about is a visitor: no committee route. "
                         "Pointed to staff aftercare and the incident reporting system; asked "
                         "the department manager to check in with the doctor."),
        ),
    ),
    DemoCase(
        timedelta(days=6, hours=1),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.NAMED, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STAFF,
            behaviours=[Behaviour.INTIMIDATION],
            accused_affiliation=Affiliation.DUAL,
            narrative=(
                "A senior researcher with a joint appointment told me in a one-to-one meeting "
                "that my contract 'would not be extended' if I kept raising the question of "
                "authorship, and later repeated this in front of a PhD student. I kept notes "
                "of both meetings."),
            occurred="Research department, two meetings in the spring.",
            desired_outcome="A formal complaint.",
            reporter_name="Ari Example", reporter_email="ari@example.org",
            statement_in_writing=True,
            parties=[_complained_about("Jo Example", Affiliation.DUAL,
                                       "Senior researcher, joint UMC and UU appointment.")],
        ),
        advisor="advisor", registered_by="advisor",
        steps=(
            ACKNOWLEDGE, START, CONSENT_IN_WRITING,
            Step("refer", "The meetings concerned the reporter's UU teaching contract; the "
                          "reporter chose the UU committee.", Committee.UU_INTEGRITY),
            Step("return", "The meetings took place in the course of UMC research work; the "
                           "committee considers the Misconduct Complaints Committee the right "
                           "route."),
            Step("note", "File returned by the UU committee. Discussed with Ari, who agrees to "
                         "a referral to the Misconduct Complaints Committee instead."),
        ),
    ),
    # --- referred: one to each committee, one of them a dual appointment ----------------------
    DemoCase(
        timedelta(days=6, hours=4),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.NAMED, received_via=ReceivedVia.IN_PERSON,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STAFF,
            behaviours=[Behaviour.VERBAL, Behaviour.BULLYING],
            accused_affiliation=Affiliation.UMC_STAFF,
            narrative=(
                "For several months my team leader has made belittling remarks about my work in "
                "team meetings, called me 'the slow one' in front of new colleagues, and sends "
                "e-mails late in the evening demanding an immediate answer. I tried to talk to "
                "him about it once; it got worse afterwards."),
            occurred="Outpatient clinic, since January.",
            desired_outcome="A formal complaint, and a safe working relationship.",
            reporter_name="Charlie Example", reporter_email="charlie@example.org",
            parties=[
                _complained_about("Lee Example", Affiliation.UMC_STAFF,
                                  "Team leader, outpatient clinic."),
                PartyInput(role=CaseParty.PartyRole.WITNESS, name="Dee Example",
                           affiliation=Affiliation.UMC_STAFF,
                           description="Colleague present at two of the meetings."),
            ],
        ),
        advisor="advisor", registered_by="advisor",
        steps=(
            ACKNOWLEDGE, START,
            Step("attach", "Written statement (summary)\n\nI describe here the team meetings "
                           "of the past months and the e-mails I received in the evenings. "
                           "Dates are listed in the attached timeline.\n", "statement.txt"),
            CONSENT_IN_WRITING,
            Step("refer", "", Committee.MISCONDUCT),
        ),
    ),
    DemoCase(
        timedelta(days=5, hours=2),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.NAMED, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STUDENT,
            behaviours=[Behaviour.SEXUAL_HARASSMENT, Behaviour.VERBAL],
            accused_affiliation=Affiliation.DUAL,
            narrative=(
                "After a seminar a lecturer kept me behind, commented on my clothes and asked "
                "whether I had a boyfriend. Since then he sends me personal messages through "
                "the course platform that have nothing to do with the course. I have stopped "
                "going to his office hours."),
            occurred="University campus, after a seminar, and online since.",
            desired_outcome="That it stops, and a formal complaint.",
            reporter_name="Lou Example", reporter_email="lou@example.org",
            statement_in_writing=True,
            parties=[_complained_about("Pat Example", Affiliation.DUAL,
                                       "Lecturer with a joint UMC and UU appointment.")],
        ),
        advisor="advisor2", registered_by=COORDINATOR,
        steps=(
            ACKNOWLEDGE, START, CONSENT_IN_WRITING,
            Step("refer", "The behaviour took place in the lecturer's UU teaching role, on the "
                          "university campus; the reporter chose the UU committee.",
                 Committee.UU_INTEGRITY),
        ),
    ),
    # --- under review, decided ----------------------------------------------------------------
    DemoCase(
        timedelta(days=5, hours=8),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.NAMED, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STUDENT,
            behaviours=[Behaviour.ONLINE, Behaviour.BULLYING],
            accused_affiliation=Affiliation.UU_AFFILIATED,
            narrative=(
                "Students from my year made a group chat about me with edited photos from a "
                "study-association party. Someone in the group sent me screenshots. The photos "
                "are still being shared."),
            occurred="Online, since the study-association party last month.",
            desired_outcome="That the photos are removed and it stops.",
            reporter_name="Jamie Example", reporter_email="jamie@example.org",
            statement_in_writing=True,
        ),
        advisor="advisor", registered_by="advisor",
        steps=(
            ACKNOWLEDGE, START,
            Step("attach", "Timeline\n\n- party (week 1)\n- first screenshots sent to me "
                           "(week 2)\n- photos seen again (week 4)\n", "timeline.txt"),
            CONSENT_IN_WRITING,
            Step("refer", "", Committee.UU_INTEGRITY),
            ACCEPT,
        ),
    ),
    DemoCase(
        timedelta(days=6, hours=6),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.NAMED, received_via=ReceivedVia.IN_PERSON,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STAFF,
            behaviours=[Behaviour.INTIMIDATION, Behaviour.AGGRESSION],
            accused_affiliation=Affiliation.UMC_STAFF,
            narrative=(
                "During a night shift a specialist threw a patient file onto the desk and "
                "shouted that I was incompetent when I asked him to re-check a dose. A "
                "patient's relative saw it. I filed an incident report about the dose; nobody "
                "asked me about the shouting."),
            occurred="Night shift, surgical ward.",
            desired_outcome="Acknowledgement, and that speaking up is safe on the ward.",
            reporter_name="Max Example", reporter_phone="+31 6 0000 0007",
            statement_in_writing=True,
        ),
        advisor="advisor", registered_by="advisor",
        steps=(
            ACKNOWLEDGE, START, CONSENT_IN_WRITING,
            Step("refer", "", Committee.MISCONDUCT), ACCEPT,
            Step("decide", "The committee finds the complaint well-founded. It advises the "
                           "Board of Directors to hold a corrective conversation with the "
                           "person complained about, and to offer the ward a facilitated "
                           "dialogue on speaking up about patient safety."),
        ),
    ),
    # --- closed: by a committee's decision, with advice, mediation, signposting, withdrawn ------
    DemoCase(
        timedelta(days=6, hours=3),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.NAMED, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STUDENT,
            behaviours=[Behaviour.EXCLUSION, Behaviour.NON_VERBAL],
            accused_affiliation=Affiliation.UU_AFFILIATED,
            narrative=(
                "My thesis supervisor stopped answering my e-mails after I asked for a "
                "different co-supervisor, and told others in the research group not to involve "
                "me in the journal club."),
            occurred="Research group, this academic year.",
            reporter_name="Alex Example", reporter_email="alex@example.org",
            statement_in_writing=True,
        ),
        advisor="advisor2", registered_by=COORDINATOR,
        steps=(
            ACKNOWLEDGE, START, CONSENT_IN_WRITING,
            Step("refer", "", Committee.UU_INTEGRITY), ACCEPT,
            Step("decide", "The committee finds the complaint partly well-founded and advises "
                           "the dean to arrange a new supervision agreement with an "
                           "independent co-supervisor."),
            Step("message", "The committee has reached its decision and you have received its "
                            "letter. Would you like to meet to talk it through?"),
            Step("close", choice=Outcome.DECIDED_BY_COMMITTEE),
        ),
    ),
    DemoCase(
        timedelta(days=6, hours=8),
        CaseInput(
            kind=Kind.CONSULTATION, channel=Channel.NAMED, received_via=ReceivedVia.IN_PERSON,
            reporter_role=ReporterRole.OTHER, reporter_population=Population.STAFF,
            behaviours=[Behaviour.OTHER],
            narrative=(
                "As a new manager I would like to know how to respond when a team member tells "
                "me about an unpleasant remark by a colleague, without taking over and without "
                "making it formal straight away."),
            reporter_name="Nour Example", reporter_email="nour@example.org",
        ),
        advisor="advisor", registered_by="advisor",
        steps=(
            ACKNOWLEDGE, START,
            Step("note", "Talked through the steps: listen, ask what the person needs, point "
                         "to the confidential advisor, keep a short record. No further action "
                         "needed."),
            Step("close", choice=Outcome.ADVICE_GIVEN),
        ),
    ),
    DemoCase(
        timedelta(days=6),
        CaseInput(
            kind=Kind.CONSULTATION, channel=Channel.NAMED, received_via=ReceivedVia.IN_PERSON,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STAFF,
            behaviours=[Behaviour.NON_VERBAL, Behaviour.EXCLUSION],
            accused_affiliation=Affiliation.UMC_STAFF,
            narrative=(
                "Since a disagreement about bench space, a colleague in the lab no longer "
                "speaks to me and leaves me out of the lab meeting invitations. I would like "
                "us to be able to work together again."),
            reporter_name="Tess Example", reporter_email="tess@example.org",
        ),
        advisor="advisor2", registered_by="advisor2",
        steps=(
            ACKNOWLEDGE, START,
            Step("note", "Both colleagues agreed to a mediated conversation; the mediator's "
                         "report says they made clear working agreements."),
            Step("close", choice=Outcome.MEDIATION),
        ),
    ),
    DemoCase(
        timedelta(days=3, hours=6),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.ANONYMOUS, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STUDENT,
            behaviours=[Behaviour.ONLINE, Behaviour.INTIMIDATION],
            accused_affiliation=Affiliation.EXTERNAL,
            narrative=(
                "An account of someone outside UMC Utrecht posts threatening replies under my "
                "posts about my internship. I do not know who it is."),
        ),
        advisor="advisor", registered_by="advisor",
        steps=(
            ACKNOWLEDGE, START,
            Step("message", "Because the account is not part of UMC Utrecht, no committee can "
                            "handle this. The online-safety reporting line can help you "
                            "straight away, and you can report threats to the police."),
            Step("close", choice=Outcome.SIGNPOSTED),
        ),
    ),
    DemoCase(
        timedelta(days=4, hours=5),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.NAMED, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STAFF,
            behaviours=[Behaviour.VERBAL],
            accused_affiliation=Affiliation.UMC_STAFF,
            narrative=(
                "A colleague made a hurtful remark about my part-time hours in front of the "
                "whole team, and has made similar remarks before."),
            reporter_name="Bo Example", reporter_phone="+31 6 0000 0012",
        ),
        advisor="advisor", registered_by="advisor",
        steps=(
            ACKNOWLEDGE,
            Step("note", "Bo called: after a talk with the colleague, who apologised, things "
                         "are better. Bo withdraws the report and will get in touch again if "
                         "anything changes."),
            Step("withdraw"),
        ),
    ),
    # --- destroyed: closed cases past their retention --------------------------------------
    DemoCase(
        timedelta(days=6, hours=10),
        CaseInput(
            kind=Kind.CONSULTATION, channel=Channel.ANONYMOUS,
            received_via=ReceivedVia.PHONE, reporter_role=ReporterRole.OTHER,
            reporter_population=Population.OTHER, behaviours=[Behaviour.OTHER],
            narrative=("A former student asked how long the office keeps notes of a "
                       "conversation and what happens to them afterwards."),
        ),
        advisor="advisor", registered_by="advisor",
        steps=(ACKNOWLEDGE, START, Step("close", choice=Outcome.ADVICE_GIVEN),
               Step("destroy")),
    ),
    DemoCase(
        timedelta(days=6, hours=9),
        CaseInput(
            kind=Kind.REPORT, channel=Channel.NAMED, received_via=ReceivedVia.PHONE,
            reporter_role=ReporterRole.AFFECTED, reporter_population=Population.STAFF,
            behaviours=[Behaviour.VERBAL, Behaviour.INTIMIDATION],
            accused_affiliation=Affiliation.UMC_STAFF,
            narrative=("A colleague raised his voice at me during a disagreement about "
                       "the on-call schedule."),
            reporter_name="Ray Example", reporter_email="ray@example.org",
        ),
        advisor="advisor2", registered_by="advisor2",
        steps=(ACKNOWLEDGE, START,
               Step("message", "I have tried to reach you by phone twice. Let me know here "
                               "if you would still like to talk."),
               Step("close", choice=Outcome.NO_RESPONSE), Step("destroy")),
    ),
)
