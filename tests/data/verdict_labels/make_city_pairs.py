# Hand labels: outcomes were read by eye from the Y+1 reports; this script only
# assembles the JSONL and checks quotes/arithmetic. It does not use govledger.
import json, sys
S = '/work/shared/'
NEXT = {'mianyang_2023': ('mianyang_2024', 'corpus/other_cities/绵阳市/2024.md'),
        'ganzhou_2022': ('ganzhou_2023', 'corpus/other_cities/赣州市/2023.md'),
        'liuzhou_2020': ('liuzhou_2021', 'corpus/other_cities/柳州市/2021.md'),
        'luoyang_2021': ('luoyang_2022', 'corpus/other_cities/洛阳市/2022.md'),
        'baotou_2022': ('baotou_2023', 'corpus/other_cities/包头市/2023.md')}
# (doc, indicator, measure, target quote) -> (outcome_quote, outcome_value, outcome_measure, outcome_base_value, outcome_bound, estimated, verdict)
N = (None, None, None, None, None, False)
L = {
 # mianyang_2023 -> mianyang_2024
 ('mianyang_2023','gdp','growth'): ('地区生产总值4038.73亿元、同比增长（以下简称增长）8%', 8, 'growth', 8, 'exact', False, 'met'),
 ('mianyang_2023','gdp','value'): ('地区生产总值4038.73亿元', 4038.73, 'value', 4038.73e8, 'exact', False, 'met'),
 ('mianyang_2023','industrial_va','growth'): ('全市规上工业增加值增长8.4%', 8.4, 'growth', 8.4, 'exact', False, 'missed'),
 ('mianyang_2023','fixed_asset_investment','growth'): ('全社会固定资产投资增长8%', 8, 'growth', 8, 'exact', False, 'missed'),
 ('mianyang_2023','retail_sales','growth'): ('全年社会消费品零售总额增长11.5%', 11.5, 'growth', 11.5, 'exact', False, 'met'),
 ('mianyang_2023','budget_revenue','qualitative'): ('全年实现地方一般公共预算收入201.47亿元', 201.47, 'value', 201.47e8, 'exact', False, 'not_judged'),
 ('mianyang_2023','urban_income','growth'): N + ('not_reported',),
 ('mianyang_2023','rural_income','growth'): N + ('not_reported',),
 ('mianyang_2023','unemployment_registered','ratio'): N + ('not_reported',),
 ('mianyang_2023','unemployment_surveyed','ratio'): N + ('not_reported',),
 ('mianyang_2023','cpi','growth'): N + ('not_reported',),
 ('mianyang_2023','services_va','growth'): ('全市服务业增加值增速连续四个季度居全省第1位、全年增长9.2%', 9.2, 'growth', 9.2, 'exact', False, 'met'),
 ('mianyang_2023','grain_output','value'): ('粮食播种面积613.8万亩、总产量达47.2亿斤', 47.2, 'value', 47.2e8, 'exact', False, 'met'),
 ('mianyang_2023','hog_output','value'): ('出栏生猪385.3万头', 385.3, 'value', 385.3e4, 'exact', False, 'met'),
 ('mianyang_2023','foreign_trade','value'): ('全市进出口总额增长18.9%', 18.9, 'growth', 18.9, 'exact', False, 'not_comparable'),
 ('mianyang_2023','foreign_investment','value','力争外商直接投资1亿美元以上'): ('外商直接投资突破1亿美元', 1, 'value', 1e8, 'min', False, 'met'),
 ('mianyang_2023','foreign_investment','value','实际利用外资2.5亿美元以上'): N + ('not_reported',),
 ('mianyang_2023','urban_new_jobs','value'): ('城镇新增就业5.3万人', 5.3, 'value', 5.3e4, 'exact', False, 'met'),
 # ganzhou_2022 -> ganzhou_2023 (delivered 2022-12-22; headline sentence is 预计)
 ('ganzhou_2022','gdp','growth'): ('预计全年GDP增长6%左右', 6, 'growth', 6, 'approx', True, 'missed'),
 ('ganzhou_2022','industrial_va','growth'): ('规模以上工业增加值增长9%左右', 9, 'growth', 9, 'approx', True, 'met'),
 ('ganzhou_2022','budget_revenue','growth'): ('一般公共预算收入同口径增长12%左右', 12, 'growth', 12, 'approx', True, 'met'),
 ('ganzhou_2022','fixed_asset_investment','growth'): ('固定资产投资增长10%左右', 10, 'growth', 10, 'approx', True, 'met'),
 ('ganzhou_2022','retail_sales','growth'): ('社会消费品零售总额增长6.5%左右', 6.5, 'growth', 6.5, 'approx', True, 'missed'),
 ('ganzhou_2022','foreign_investment','growth'): ('实际利用外资增长8.5%左右', 8.5, 'growth', 8.5, 'approx', True, 'met'),
 ('ganzhou_2022','urban_income','growth'): ('城镇和农村居民人均可支配收入分别增长5.7%、9%左右', 5.7, 'growth', 5.7, 'approx', True, 'missed'),
 ('ganzhou_2022','rural_income','growth'): ('城镇和农村居民人均可支配收入分别增长5.7%、9%左右', 9, 'growth', 9, 'approx', True, 'missed'),
 ('ganzhou_2022','cpi','growth'): N + ('not_reported',),
 ('ganzhou_2022','unemployment_surveyed','ratio'): N + ('not_reported',),
 ('ganzhou_2022','grain_output','value'): N + ('not_reported',),
 ('ganzhou_2022','hog_output','value'): ('生猪出栏保持在660万头以上', 660, 'value', 660e4, 'min', False, 'met'),
 ('ganzhou_2022','urban_new_jobs','value'): N + ('not_reported',),
 # liuzhou_2020 -> liuzhou_2021
 ('liuzhou_2020','gdp','growth'): ('全市实现地区生产总值3176.9亿元，增长1.5%', 1.5, 'growth', 1.5, 'exact', False, 'missed'),
 ('liuzhou_2020','industrial_va','growth'): N + ('not_reported',),
 ('liuzhou_2020','fixed_asset_investment','growth'): ('固定资产投资1756.7亿元', 1756.7, 'value', 1756.7e8, 'exact', False, 'not_comparable'),
 ('liuzhou_2020','retail_sales','growth'): ('社会消费品零售总额1270.2亿元', 1270.2, 'value', 1270.2e8, 'exact', False, 'not_comparable'),
 ('liuzhou_2020','urban_income','growth'): ('城镇居民人均可支配收入38479元、增长3%', 3, 'growth', 3, 'exact', False, 'missed'),
 ('liuzhou_2020','rural_income','growth'): ('农村居民人均可支配收入15848元、增长7.7%', 7.7, 'growth', 7.7, 'exact', False, 'missed'),
 ('liuzhou_2020','unemployment_registered','qualitative'): ('城镇登记失业率3.61%', 3.61, 'ratio', 3.61, 'exact', False, 'not_judged'),
 ('liuzhou_2020','energy_intensity','qualitative'): N + ('not_judged',),
 ('liuzhou_2020','grain_output','value'): N + ('not_reported',),
 ('liuzhou_2020','urban_new_jobs','value'): ('城镇新增就业5.55万人', 5.55, 'value', 5.55e4, 'exact', False, 'met'),
 # luoyang_2021 -> luoyang_2022
 ('luoyang_2021','gdp','value'): N + ('not_reported',),            # 十四五 goal
 ('luoyang_2021','foreign_investment','cum_growth'): N + ('not_reported',),  # 十四五 goal
 ('luoyang_2021','resident_income','qualitative'): N + ('not_judged',),       # 十四五 goal
 ('luoyang_2021','gdp','growth'): ('实现地区生产总值5447.1亿元、增长4.8%', 4.8, 'growth', 4.8, 'exact', False, 'missed'),
 ('luoyang_2021','industrial_va','growth'): N + ('not_reported',),
 ('luoyang_2021','fixed_asset_investment','growth'): N + ('not_reported',),
 ('luoyang_2021','retail_sales','growth'): ('社会消费品零售总额超过疫情前水平、同比增长8.8%', 8.8, 'growth', 8.8, 'exact', False, 'missed'),
 ('luoyang_2021','foreign_trade','growth'): ('外贸进出口232.4亿元、增长20.4%', 20.4, 'growth', 20.4, 'exact', False, 'met'),
 ('luoyang_2021','budget_revenue','growth'): ('一般公共预算收入完成397.9亿元、增长4.8%', 4.8, 'growth', 4.8, 'exact', False, 'missed'),
 ('luoyang_2021','resident_income','growth'): N + ('not_reported',),
 ('luoyang_2021','urban_new_jobs','value'): ('新增城镇就业11.4万人', 11.4, 'value', 11.4e4, 'exact', False, 'met'),
 ('luoyang_2021','unemployment_registered','ratio'): N + ('not_reported',),
 ('luoyang_2021','cpi','growth'): N + ('not_reported',),
 ('luoyang_2021','urbanization_rate','pp_change'): ('常住人口城镇化率达到64.98%', 64.98, 'ratio', 64.98, 'exact', False, 'not_comparable'),
 ('luoyang_2021','retail_sales','value'): ('社会消费品零售总额超过疫情前水平、同比增长8.8%', 8.8, 'growth', 8.8, 'exact', False, 'not_comparable'),
 ('luoyang_2021','grain_output','value'): ('粮食总产达到48.2亿斤', 48.2, 'value', 48.2e8, 'exact', False, 'met'),
 # baotou_2022 -> baotou_2023 (headline sentence is 预计)
 ('baotou_2022','gdp','value'): N + ('not_reported',),               # 今后五年 goal
 ('baotou_2022','energy_intensity','qualitative'): ('单位GDP能耗下降1.1%', -1.1, 'growth', -1.1, 'exact', False, 'not_judged'),  # 今后五年 goal
 ('baotou_2022','resident_income','qualitative','城乡居民收入保持全区前列'): N + ('not_judged',),  # 今后五年 goal
 ('baotou_2022','gdp','growth'): ('预计全年地区生产总值达到3800亿元、增长7.5%左右', 7.5, 'growth', 7.5, 'approx', True, 'missed'),
 ('baotou_2022','industrial_va','growth'): ('规上工业增加值增长18%以上', 18, 'growth', 18, 'min', True, 'met'),
 ('baotou_2022','fixed_asset_investment','growth'): ('固定资产投资增长20%以上', 20, 'growth', 20, 'min', True, 'met'),
 ('baotou_2022','retail_sales','growth'): N + ('not_reported',),
 ('baotou_2022','budget_revenue','growth'): ('一般公共预算收入完成173.2亿元、增长7.6%', 7.6, 'growth', 7.6, 'exact', True, 'met'),
 ('baotou_2022','resident_income','qualitative','城乡居民收入与经济增长同步'): ('城乡居民人均可支配收入分别增长6%左右和7%左右', 7, 'growth', 7, 'approx', True, 'missed'),
 ('baotou_2022','unemployment_registered','ratio'): ('城镇登记失业率保持在3.87%', 3.87, 'ratio', 3.87, 'exact', False, 'met'),
 ('baotou_2022','grain_output','value'): ('全年粮食总产量达到24.9亿斤', 24.9, 'value', 24.9e8, 'exact', False, 'missed'),
 ('baotou_2022','foreign_trade','growth'): ('外贸进出口总值完成256亿元', 256, 'value', 256e8, 'exact', False, 'not_comparable'),
 ('baotou_2022','foreign_investment','growth'): N + ('not_reported',),
 ('baotou_2022','urban_new_jobs','value'): ('全年新增城镇就业4万人', 4, 'value', 4e4, 'exact', False, 'met'),
}
LOWER = {'unemployment_surveyed','unemployment_registered','cpi','energy_intensity','industrial_energy_intensity'}
def auto(t, o_base, o_meas):
    """independent re-statement of the schema's compare step (rule 3), for checking only"""
    if t['measure'] != o_meas: return 'not_comparable'
    tv = t['base_value']
    pct = t['base_unit'] in ('%', 'pp')
    e = 0.2 if (pct and t['bound'] == 'approx') else (abs(tv) * 0.01 if t['bound'] == 'approx' else 0)
    # tolerance: the schema lists 0.2 for %/pp figures and 1% of t for approx amounts
    if pct: e = 0.2
    if t['indicator'] in LOWER or t['bound'] == 'max' or tv < 0:
        return 'met' if o_base <= tv + e + 1e-9 else 'missed'
    return 'met' if o_base >= tv - e - 1e-9 else 'missed'

gold = [json.loads(l) for l in open(S + 'gold/indicators_city_dev.jsonl')]
out, used = [], set()
texts = {}
for r in gold:
    if r['kind'] != 'target' or r['doc'] not in NEXT: continue
    k4 = (r['doc'], r['indicator'], r['measure'], None)
    cands = [k for k in L if k[:3] == (r['doc'], r['indicator'], r['measure']) and (len(k) == 3 or k[3] in r['quote'])]
    assert len(cands) == 1, (r['quote'], cands)
    k = cands[0]; used.add(k)
    oq, ov, om, ob, obd, est, verdict = L[k]
    nd, npth = NEXT[r['doc']]
    txt = texts.setdefault(npth, open(S + npth, encoding='utf-8').read())
    if oq is not None:
        assert oq in txt, oq
        if r['measure'] != 'qualitative':
            a = auto(r, ob, om)
            if a != verdict: print('CHECK', r['doc'], r['quote'], a, verdict, file=sys.stderr)
    out.append({'doc': r['doc'], 'next_doc': nd, 'next_path': npth, 'indicator': r['indicator'],
                'measure': r['measure'], 'target_value': r['value'], 'target_quote': r['quote'],
                'bound': r['bound'], 'outcome_quote': oq, 'outcome_value': ov, 'outcome_measure': om,
                'estimated': est, 'verdict': verdict})
assert used == set(L), set(L) - used
with open('/work/wt-verdicts/tests/data/verdict_labels/city_pairs.jsonl', 'w', encoding='utf-8') as f:
    for o in out: f.write(json.dumps(o, ensure_ascii=False) + '\n')
from collections import Counter
print(len(out))
for d in NEXT: print(d, dict(Counter(o['verdict'] for o in out if o['doc'] == d)))
print('all', dict(Counter(o['verdict'] for o in out)))
