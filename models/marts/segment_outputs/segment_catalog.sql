-- One row per segment of the registry (personas.segment_models()), from the project itself:
-- its mart, its catalog section (the mart's folder) and its documentation as dbt renders it
-- (the `graph` variable, filled at execution time only), split into the parts a marketer
-- reads: who, what to do with them, the rule. The dashboard's segment pages are made from it.
{#- The doc blocks of every seg_ model read "**Who:** ... **What a marketer does with it:** ...
    **Rule (...):** ... **Grain:** ...": a part that is missing stays null (and fails this
    model's not_null tests). Each value becomes a SQL string literal here. -#}
{%- set who_mark, action_mark, rule_mark = '**Who:**', '**What a marketer does with it:**', '**Rule' -%}
{%- set segments = [] -%}
{%- if execute -%}
{%- for mart_name in personas.segment_models() -%}
{%- set nodes = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
    | selectattr('package_name', 'equalto', project_name) | selectattr('name', 'equalto', mart_name) | list -%}
{%- if nodes | length != 1 -%}
{{ exceptions.raise_compiler_error("segment_catalog: personas.segment_models() names " ~ mart_name
    ~ ", which is not one model of this project") }}
{%- endif -%}
{%- set description = nodes[0].description | trim -%}
{%- set parts = {'who': none, 'marketer_action': none, 'segment_rule': none} -%}
{%- if who_mark in description and action_mark in description -%}
{%- set after_who = description.split(who_mark, 1)[1] -%}
{%- do parts.update({'who': after_who.split(action_mark, 1)[0] | trim}) -%}
{%- set after_action = after_who.split(action_mark, 1)[1] -%}
{%- if rule_mark in after_action -%}
{%- do parts.update({'marketer_action': after_action.split(rule_mark, 1)[0] | trim}) -%}
{%- set after_rule = after_action.split(rule_mark, 1)[1] -%}
{%- if ':**' in after_rule -%}
{%- do parts.update({'segment_rule': after_rule.split(':**', 1)[1].split('**Grain:**', 1)[0] | trim}) -%}
{%- endif -%}
{%- endif -%}
{%- endif -%}
{%- set texts = {
    'segment_name': mart_name[4:],
    'mart_name': mart_name,
    'catalog_section': nodes[0].original_file_path.replace('\\', '/').split('/')[-2],
    'description': description,
    'who': parts.who,
    'marketer_action': parts.marketer_action,
    'segment_rule': parts.segment_rule,
} -%}
{%- set literals = {} -%}
{%- for column, text in texts.items() -%}
{%- do literals.update({column: 'null' if text is none
    else dbt.string_literal(dbt.escape_single_quotes(text))}) -%}
{%- endfor -%}
{%- do segments.append(literals) -%}
{%- endfor -%}
{%- endif %}

with

{% if segments %}
segments as (
    {%- for segment in segments %}
    select
        {{ loop.index }} as catalog_order,
        {{ segment.segment_name }} as segment_name,
        {{ segment.mart_name }} as mart_name,
        {{ segment.catalog_section }} as catalog_section,
        {{ segment.description }} as description,
        {{ segment.who }} as who,
        {{ segment.marketer_action }} as marketer_action,
        {{ segment.segment_rule }} as segment_rule
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),
{% else %}
-- Parsing (no graph yet): the same columns, no rows.
segments as (
    select
        null as catalog_order,
        null as segment_name,
        null as mart_name,
        null as catalog_section,
        null as description,
        null as who,
        null as marketer_action,
        null as segment_rule
    where 1 = 0
),
{% endif %}

final as (
    select
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(mart_name as {{ dbt.type_string() }}) as mart_name,
        cast(catalog_section as {{ dbt.type_string() }}) as catalog_section,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(who as {{ dbt.type_string() }}) as who,
        cast(marketer_action as {{ dbt.type_string() }}) as marketer_action,
        cast(segment_rule as {{ dbt.type_string() }}) as segment_rule,
        cast(catalog_order as {{ dbt.type_int() }}) as catalog_order
    from segments
)

select * from final
