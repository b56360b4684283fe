from celery import shared_task


@shared_task
def brief_render(brief_id: int) -> None:
    """Make a leave-behind's PDF and keep it with the meeting; harmless to run twice."""
    from meetings import briefs
    from meetings.models import Brief

    brief = Brief.objects.filter(pk=brief_id).first()
    if brief is None or briefs.brief_is_current(brief):
        return
    briefs.brief_render(brief=brief)
