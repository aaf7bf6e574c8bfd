{#- The catalog's engagement event, written once: an email (`channel = 'email'`) `opened` or
    `clicked` event; with var exclude_apple_privacy_opens (default true) an `opened` event
    flagged is_apple_privacy_open (an Apple Mail Privacy Protection machine open) is not one.
    Two shapes of the one rule, for the two grains that count engagement:
    - engagement_rule(): a SQL boolean over one event row with columns channel, event_type and
      is_apple_privacy_open (int_email_events_scoped.is_engagement);
    - engagement_rule(daily_counts=true): the number of engagement events among the staged
      email events counted in one row with int_email_activity_daily's columns human_opens,
      apple_privacy_opens and clicks (fct_engagement's engagements per profile and day). -#}
{% macro engagement_rule(daily_counts=false) -%}
    {{ return(adapter.dispatch('engagement_rule', 'personas')(daily_counts)) }}
{%- endmacro %}

{% macro default__engagement_rule(daily_counts) -%}
    {%- if daily_counts -%}
        (human_opens + clicks{% if not var('exclude_apple_privacy_opens') %} + apple_privacy_opens{% endif %})
    {%- else -%}
        (channel = 'email' and event_type in ('opened', 'clicked')
        {%- if var('exclude_apple_privacy_opens') %} and not (event_type = 'opened' and is_apple_privacy_open){% endif %})
    {%- endif -%}
{%- endmacro %}
