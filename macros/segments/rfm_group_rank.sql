{#- The rank of an RFM group (seeds/rfm_segments.csv, column rfm_segment) from worst (1) to
    best (11), for "a better RFM group" (seg_rising_stars). The order of the usual RFM tables,
    by how recently and how much the customer buys:
      11 champions, 10 loyal, 9 potential_loyalist, 8 new_customers, 7 promising,
      6 need_attention, 5 about_to_sleep, 4 at_risk, 3 cannot_lose_them, 2 hibernating, 1 lost.
    at_risk ranks above cannot_lose_them: both bought much, but cannot_lose_them have the
    lowest R score (gone longest). Null for anything else (no group: outside the RFM
    population). tests/segments/assert_rfm_group_rank_covers_every_group.sql checks that
    every group of the seed has a rank. -#}
{% macro rfm_group_rank(group_column) -%}
    {{ return(adapter.dispatch('rfm_group_rank', 'personas')(group_column)) }}
{%- endmacro %}

{% macro rfm_group_ranks() -%}
    {{ return([
        'lost', 'hibernating', 'cannot_lose_them', 'at_risk', 'about_to_sleep', 'need_attention',
        'promising', 'new_customers', 'potential_loyalist', 'loyal', 'champions',
    ]) }}
{%- endmacro %}

{% macro default__rfm_group_rank(group_column) -%}
    case {{ group_column }}
        {%- for group in personas.rfm_group_ranks() %}
        when '{{ group }}' then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}
